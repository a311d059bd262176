namespace RobustnessLab.Reporting;

/// <summary>Which slice of a sweep a results file holds (absent once merged or for a whole run).</summary>
public sealed record ShardInfo(int Index, int Count);
