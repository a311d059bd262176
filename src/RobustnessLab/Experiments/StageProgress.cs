namespace RobustnessLab.Experiments;

/// <summary>Progress inside one stage: a fraction in [0, 1] and a short status.</summary>
public sealed record StageProgress(double Fraction, string Status);
