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
    /// <summary>
    /// Latest first crossing of 0.99 / 0.9999 over the classes; null unless every class crossed, written as null (not
    /// left out) so that a paper row or gate reading it says "not reached" rather than "no such key".
    /// </summary>
    [JsonPropertyName("all_classes_99_at"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public int? AllClasses99At { get; init; }
    [JsonPropertyName("all_classes_9999_at"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public int? AllClasses9999At { get; init; }
    [JsonPropertyName("median_nearest_ratio")] public double? MedianNearestRatio { get; init; }
    [JsonPropertyName("mean_transfer_confidence")] public double? MeanTransferConfidence { get; init; }
    /// <summary>Classes whose champion the second model also labels as that class.</summary>
    [JsonPropertyName("transfer_fooled")] public int? TransferFooled { get; init; }
}
