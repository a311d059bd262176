using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Fooling;

/// <summary>
/// One class's row of fooling.json. "generations" count gradient steps for the gradient method; generation 0 is the
/// random initial population (or the start image). Times are seconds since the search started; a null
/// generations_to_X / seconds_to_X means the threshold was never reached.
/// </summary>
public sealed record FoolingClassReport
{
    [JsonPropertyName("class")] public required string ClassName { get; init; }
    [JsonPropertyName("class_index")] public required int ClassIndex { get; init; }
    /// <summary>Softmax probability of the class for the champion (float pixels, as scored).</summary>
    [JsonPropertyName("confidence")] public required double Confidence { get; init; }
    [JsonPropertyName("log_odds")] public required double LogOdds { get; init; }
    /// <summary>Probability after rounding the champion to 8-bit pixels (what a saved PNG holds).</summary>
    [JsonPropertyName("confidence_8bit")] public required double Confidence8Bit { get; init; }
    [JsonPropertyName("generations_to_99"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public int? GenerationsTo99 { get; init; }
    [JsonPropertyName("generations_to_999"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public int? GenerationsTo999 { get; init; }
    [JsonPropertyName("generations_to_9999"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public int? GenerationsTo9999 { get; init; }
    [JsonPropertyName("seconds_to_99"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? SecondsTo99 { get; init; }
    [JsonPropertyName("seconds_to_999"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? SecondsTo999 { get; init; }
    [JsonPropertyName("seconds_to_9999"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? SecondsTo9999 { get; init; }
    /// <summary>Seconds until the final champion was found.</summary>
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    /// <summary>Generation (or step) at which the final champion was found.</summary>
    [JsonPropertyName("found_at_generation")] public required int FoundAtGeneration { get; init; }
    [JsonPropertyName("nearest_train_l2"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? NearestTrainL2 { get; init; }
    [JsonPropertyName("nearest_train_class")] public string? NearestTrainClass { get; init; }
    /// <summary>Median distance of real held-out class members to their nearest same-class training image.</summary>
    [JsonPropertyName("within_class_nearest_l2")] public double? WithinClassNearestL2 { get; init; }
    /// <summary>Median distance between held-out and training members of the class.</summary>
    [JsonPropertyName("within_class_pair_l2")] public double? WithinClassPairL2 { get; init; }
    [JsonPropertyName("transfer_confidence"), JsonIgnore(Condition = JsonIgnoreCondition.Never)] public double? TransferConfidence { get; init; }
    [JsonPropertyName("transfer_prediction")] public string? TransferPrediction { get; init; }
    [JsonPropertyName("transfer_prediction_confidence")] public double? TransferPredictionConfidence { get; init; }
    [JsonPropertyName("genome")] public string? Genome { get; init; }
    /// <summary>Champion image file, relative to the output folder, when written.</summary>
    [JsonPropertyName("image_file")] public string? ImageFile { get; init; }
    [JsonIgnore] public ImageData Image { get; init; } = new(0, 0, 0, []);
}
