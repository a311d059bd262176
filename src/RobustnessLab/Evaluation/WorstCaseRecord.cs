namespace RobustnessLab.Evaluation;

/// <summary>Per-sample worst case over every attack run in one norm at one epsilon, with the most frequent class flips.</summary>
public sealed record WorstCaseRecord(string Norm, double Eps, double RobustAccuracy, IReadOnlyList<string> Attacks, IReadOnlyList<ClassFlip> Flips);
