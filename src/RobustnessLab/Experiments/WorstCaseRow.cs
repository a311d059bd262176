using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments;

/// <summary>One row of <c>worst_case</c>: per-sample worst case of the attacks run together on the same samples.</summary>
public sealed record WorstCaseRow(string Model, string Norm, double Eps, double RobustAccuracy, int Samples, IReadOnlyList<string> Attacks, IReadOnlyList<ClassFlip> Flips);
