namespace RobustnessLab.FeatureVis;

/// <summary>
/// One visualised objective of one model in results.json: the optimised objective's final value per seed, the model's
/// probability of the target class for each image (classes only), and the contact sheet it is drawn in (set by the writer).
/// </summary>
public sealed record VisualizationEntry(string Model, string Objective, string? Class, IReadOnlyList<int> Seeds, int Steps,
    IReadOnlyList<double> FinalObjective, IReadOnlyList<double>? ClassProbability, double Seconds, string? Sheet);
