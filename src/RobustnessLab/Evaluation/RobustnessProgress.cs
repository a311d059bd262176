namespace RobustnessLab.Evaluation;

/// <summary>Progress of a robustness evaluation: units done of total, and what runs now.</summary>
public sealed record RobustnessProgress(int Done, int Total, string Stage);
