using System.Text.Json.Serialization;

namespace RobustnessLab.Benchmarks;

/// <summary>One timed workload: throughput and its share of the machine's measured matmul rate.</summary>
public sealed record StepMeasurement
{
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; }
    [JsonPropertyName("ms_per_step")] public double MillisecondsPerStep { get; init; }
    [JsonPropertyName("images_per_s")] public double ImagesPerSecond { get; init; }
    [JsonPropertyName("gflop_per_step")] public double GflopPerStep { get; init; }
    [JsonPropertyName("gflops")] public double Gflops { get; init; }
    /// <summary>Achieved FLOP rate divided by the matmul rate measured in the same run.</summary>
    [JsonPropertyName("flop_utilization")] public double FlopUtilization { get; init; }
    [JsonPropertyName("steps")] public int Steps { get; init; }
    [JsonPropertyName("note")] public string? Note { get; init; }
}
