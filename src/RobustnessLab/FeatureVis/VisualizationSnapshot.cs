using RobustnessLab.Core;

namespace RobustnessLab.FeatureVis;

/// <summary>The images after a given step, with each image's objective value at that step.</summary>
public sealed record VisualizationSnapshot(int Step, IReadOnlyList<ImageData> Images, IReadOnlyList<double> ObjectiveValues);
