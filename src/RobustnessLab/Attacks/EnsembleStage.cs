namespace RobustnessLab.Attacks;

/// <summary>
/// One member of a worst-case ensemble on one batch at one epsilon: how many samples it ran on (those still robust
/// when its turn came) and how many of them it broke, in the order the members ran.
/// </summary>
public sealed record EnsembleStage(string Attack, int Attacked, int Broken, double Seconds, long GradientEvaluations, long Queries);
