namespace RobustnessLab.Experiments;

/// <summary>One row of <c>flags</c>: a sanity check that fired on a model's robustness evaluation.</summary>
public sealed record FlagRow(string Model, string Message);
