using System.Text.Json.Serialization;

namespace RobustnessLab.Fooling;

/// <summary>Headline numbers over the searched classes.</summary>
public sealed record FoolingSummary
{
    [JsonPropertyName("classes")] public required int Classes { get; init; }
    [JsonPropertyName("reached_99")] public required int Reached99 { get; init; }
    [JsonPropertyName("reached_999")] public required int Reached999 { get; init; }
    [JsonPropertyName("reached_9999")] public required int Reached9999 { get; init; }
    [JsonPropertyName("min_confidence")] public required double MinConfidence { get; init; }
    [JsonPropertyName("median_confidence")] public required double MedianConfidence { get; init; }
    /// <summary>Latest first crossing of 0.99 / 0.9999 over the classes (null unless every class crossed).</summary>
    [JsonPropertyName("all_classes_99_at")] public int? AllClasses99At { get; init; }
    [JsonPropertyName("all_classes_9999_at")] public int? AllClasses9999At { get; init; }
    [JsonPropertyName("median_nearest_ratio")] public double? MedianNearestRatio { get; init; }
    [JsonPropertyName("mean_transfer_confidence")] public double? MeanTransferConfidence { get; init; }
    /// <summary>Classes whose champion the second model also labels as that class.</summary>
    [JsonPropertyName("transfer_fooled")] public int? TransferFooled { get; init; }
}
