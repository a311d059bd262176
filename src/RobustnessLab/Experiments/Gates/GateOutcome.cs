namespace RobustnessLab.Experiments.Gates;

/// <summary>The result of one rule on one sweep point: the value found, what was expected, pass or fail and why.</summary>
public sealed record GateOutcome(GateRule Rule, string Point, double? Actual, string Expected, bool Passed, string? Problem);
