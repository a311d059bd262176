namespace RobustnessLab.Fooling;

/// <summary>What an independently trained second model says about a fooling image.</summary>
/// <param name="ClassIndex">The class the image was evolved for.</param>
/// <param name="Confidence">The second model's probability for that class.</param>
/// <param name="Predicted">The second model's top class.</param>
/// <param name="PredictedConfidence">Its probability for the top class.</param>
public sealed record TransferMeasurement(int ClassIndex, double Confidence, int Predicted, double PredictedConfidence);
