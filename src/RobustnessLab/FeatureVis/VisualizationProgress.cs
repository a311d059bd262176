namespace RobustnessLab.FeatureVis;

/// <summary>Progress of a visualisation: step of steps and the mean objective value.</summary>
public sealed record VisualizationProgress(int Step, int Steps, double Objective);
