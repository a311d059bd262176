namespace RobustnessLab.Evaluation;

/// <summary>A class and the softmax probability the model gives it.</summary>
public sealed record Prediction(int Class, string Label, double Confidence);
