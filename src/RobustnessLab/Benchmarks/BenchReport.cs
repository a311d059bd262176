using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Benchmarks;

/// <summary>What `lab bench` measured, in one run on one machine.</summary>
public sealed record BenchReport
{
    [JsonPropertyName("matmul_gflops")] public double MatmulGflops { get; init; }
    [JsonPropertyName("matmul_size")] public int MatmulSize { get; init; }
    [JsonPropertyName("model")] public string Model { get; init; } = "cnn";
    [JsonPropertyName("forward_gflop_per_image")] public double ForwardGflopPerImage { get; init; }
    [JsonPropertyName("train_step")] public StepMeasurement? TrainStep { get; init; }
    [JsonPropertyName("fgsm_step")] public StepMeasurement? FgsmStep { get; init; }
    [JsonPropertyName("pgd_step")] public StepMeasurement? PgdStep { get; init; }
    /// <summary>Further workloads (fooling generations, visualisation steps...) by name, in seconds or rates.</summary>
    [JsonPropertyName("workloads")] public Dictionary<string, Dictionary<string, double>> Workloads { get; init; } = [];
    /// <summary>`--only eval`: AutoAttack-style evaluation and PGD-20 curve, default path against the baseline path (<see cref="EvaluationBenchmark"/>).</summary>
    [JsonPropertyName("eval")] public Dictionary<string, double>? Eval { get; set; }
    /// <summary>The machine's 1-minute load average when the bench started and ended (the machine may be shared).</summary>
    [JsonPropertyName("load_average")] public Dictionary<string, double> LoadAverage { get; init; } = [];
    [JsonPropertyName("memory")] public Dictionary<string, double> Memory { get; init; } = [];
    [JsonPropertyName("threads")] public int Threads { get; init; }
    [JsonPropertyName("provenance")] public Provenance? Provenance { get; init; }
}
