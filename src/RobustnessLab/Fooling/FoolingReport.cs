using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Fooling;

/// <summary>Everything a fooling run measured: the body of fooling.json (the curve goes to its own CSV).</summary>
public sealed record FoolingReport
{
    [JsonPropertyName("method")] public required string Method { get; init; }
    [JsonPropertyName("model")] public required string Model { get; init; }
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("transfer_model")] public string? TransferModel { get; init; }
    [JsonPropertyName("seed")] public required int Seed { get; init; }
    [JsonPropertyName("threads")] public required int Threads { get; init; }
    /// <summary>Generations (evolution) or steps (gradient) actually run.</summary>
    [JsonPropertyName("generations")] public required int Generations { get; init; }
    [JsonPropertyName("evaluations")] public required long Evaluations { get; init; }
    [JsonPropertyName("seconds")] public required double Seconds { get; init; }
    [JsonPropertyName("cancelled")] public required bool Cancelled { get; init; }
    [JsonPropertyName("summary")] public required FoolingSummary Summary { get; init; }
    [JsonPropertyName("classes")] public required IReadOnlyList<FoolingClassReport> Classes { get; init; }
    [JsonPropertyName("rubbish")] public IReadOnlyList<RubbishReport>? Rubbish { get; init; }
    [JsonPropertyName("options")] public required FoolingOptions Options { get; init; }
    [JsonPropertyName("provenance")] public Provenance? Provenance { get; init; }
    /// <summary>The figure files (champions grid, curve) relative to the report's folder; SVG where written.</summary>
    [JsonPropertyName("figures")] public IReadOnlyDictionary<string, string>? Figures { get; init; }
    [JsonIgnore] public IReadOnlyList<FoolingCurvePoint> Curve { get; init; } = [];
}
