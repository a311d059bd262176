namespace RobustnessLab.Dumbbell;

/// <summary>One success criterion of the experiment: what was measured, the bound, and whether it was met.</summary>
public sealed record DumbbellTarget(string Name, double Value, string Bound, bool Met);
