namespace RobustnessLab.Training;

/// <summary>The norm ("linf" or "l2") and eps a model was adversarially trained at (see <see cref="TrainingObjectives.Radius"/>).</summary>
public sealed record TrainingRadius(string Norm, double Eps);
