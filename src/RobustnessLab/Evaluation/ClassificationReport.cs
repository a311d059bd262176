using System.Text.Json.Serialization;

namespace RobustnessLab.Evaluation;

/// <summary>Accuracy of a model on a dataset, overall and per class, with the confusion matrix [true, predicted].</summary>
public sealed record ClassificationReport
{
    [JsonPropertyName("accuracy")] public required double Accuracy { get; init; }
    [JsonPropertyName("count")] public required int Count { get; init; }
    [JsonPropertyName("mean_loss")] public required double MeanLoss { get; init; }
    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }
    [JsonPropertyName("per_class_accuracy")] public required double[] PerClassAccuracy { get; init; }
    [JsonPropertyName("confusion")] public required int[][] Confusion { get; init; }
}
