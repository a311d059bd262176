using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Models;

/// <summary>The contents of a checkpoint's model.json: enough to rebuild the model and to know where it came from.</summary>
public sealed record CheckpointInfo
{
    public const string CurrentFormat = "robustnesslab.checkpoint/1";

    [JsonPropertyName("format")] public string Format { get; init; } = CurrentFormat;
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("args")] public IReadOnlyDictionary<string, double> Args { get; init; } = new Dictionary<string, double>();
    [JsonPropertyName("input_shape")] public required int[] InputShape { get; init; }
    [JsonPropertyName("num_classes")] public int NumClasses { get; init; }
    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }
    [JsonPropertyName("normalization")] public required NormalizationInfo Normalization { get; init; }
    /// <summary>How an image of any size becomes the model's input (absent: plain resize).</summary>
    [JsonPropertyName("preprocess")] public PreprocessInfo? Preprocess { get; init; }
    [JsonPropertyName("dataset")] public string? Dataset { get; init; }
    [JsonPropertyName("seed")] public int Seed { get; init; }
    /// <summary>The seed of the data split the model was trained on (absent in checkpoints written before it was recorded).</summary>
    [JsonPropertyName("split_seed")] public int? SplitSeed { get; init; }
    [JsonPropertyName("epoch")] public int Epoch { get; init; }
    [JsonPropertyName("training")] public JsonObject? Training { get; init; }
    [JsonPropertyName("metrics")] public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();
    [JsonPropertyName("parameters")] public long Parameters { get; init; }
    [JsonPropertyName("provenance")] public Provenance? Provenance { get; init; }
    /// <summary>SHA-256 of model.safetensors as written; loading refuses weights that no longer match it.</summary>
    [JsonPropertyName("weights_sha256")] public string? WeightsSha256 { get; init; }

    /// <summary>
    /// The split seed to load this model's dataset with, so validation rows (and the gym scenes' every split) are the
    /// ones it was trained with: <see cref="SplitSeed"/>, or for older checkpoints <see cref="Seed"/> (what
    /// <c>lab train</c> split by before <c>--split-seed</c> existed).
    /// </summary>
    [JsonIgnore] public int DataSeed => SplitSeed ?? Seed;

    /// <summary>The training objective recorded in <see cref="Training"/> ("standard" when none is).</summary>
    [JsonIgnore] public string Objective => Training?["objective"]?.GetValue<string>() ?? "standard";

    /// <summary>The objective's arguments recorded in <see cref="Training"/> (empty when none are).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, double> ObjectiveArgs =>
        Training?["objective_args"] is JsonObject args
            ? args.Where(kv => kv.Value is not null).ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>())
            : new Dictionary<string, double>();

    /// <summary>The radius the model was adversarially trained at, from <see cref="Training"/> (null for standard training).</summary>
    public RobustnessLab.Training.TrainingRadius? TrainedAt() => RobustnessLab.Training.TrainingObjectives.Radius(Objective, ObjectiveArgs);

    public ModelSpec ToSpec() => new()
    {
        Architecture = Architecture,
        Args = Args,
        InputShape = InputShape,
        ClassNames = ClassNames,
        Mean = Normalization.Mean,
        Std = Normalization.Std,
    };

    public static CheckpointInfo FromSpec(ModelSpec spec) => new()
    {
        Architecture = spec.Architecture,
        Args = spec.Args,
        InputShape = spec.InputShape,
        NumClasses = spec.NumClasses,
        ClassNames = spec.ClassNames,
        Normalization = new NormalizationInfo(spec.Mean, spec.Std),
    };
}

public sealed record NormalizationInfo(
    [property: JsonPropertyName("mean")] float[] Mean,
    [property: JsonPropertyName("std")] float[] Std);
