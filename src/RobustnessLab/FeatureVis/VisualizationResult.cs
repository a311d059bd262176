using RobustnessLab.Core;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// What a visualisation produced: the final images (one per seed), snapshots at the requested steps, and the
/// model's view of the final images without transforms: objective values and class probabilities.
/// </summary>
public sealed record VisualizationResult
{
    public required string Objective { get; init; }
    public required IReadOnlyList<int> Seeds { get; init; }
    public required int Steps { get; init; }
    public required IReadOnlyList<ImageData> Images { get; init; }
    public required IReadOnlyList<VisualizationSnapshot> Snapshots { get; init; }
    public required IReadOnlyList<double> FinalObjective { get; init; }
    public required IReadOnlyList<double[]> ClassProbabilities { get; init; }
    public required double Seconds { get; init; }
}
