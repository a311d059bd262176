using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Training;

/// <summary>
/// Trainer settings. Defaults are the `lab train` defaults: they take the Fashion-MNIST `cnn` past 0.92 test accuracy
/// in 5 epochs on two cores.
/// </summary>
public sealed record TrainingOptions
{
    [JsonPropertyName("optimizer")] public string Optimizer { get; init; } = "adam";
    [JsonPropertyName("lr")] public double LearningRate { get; init; } = 3e-3;
    [JsonPropertyName("momentum")] public double Momentum { get; init; } = 0.9;
    [JsonPropertyName("weight_decay")] public double WeightDecay { get; init; } = 5e-4;
    [JsonPropertyName("schedule")] public string Schedule { get; init; } = "onecycle";
    /// <summary>Step schedule: multiply the rate by <see cref="Gamma"/> every this many epochs.</summary>
    [JsonPropertyName("step_epochs")] public int StepEpochs { get; init; } = 2;
    [JsonPropertyName("gamma")] public double Gamma { get; init; } = 0.1;
    [JsonPropertyName("batch_size")] public int BatchSize { get; init; } = 128;
    [JsonPropertyName("epochs")] public int Epochs { get; init; } = 5;
    [JsonPropertyName("seed")] public int Seed { get; init; }
    /// <summary>Training objective: "standard", or an adversarial one registered in <see cref="TrainingObjectives"/>.</summary>
    [JsonPropertyName("objective")] public string Objective { get; init; } = "standard";
    /// <summary>Objective settings, e.g. eps, steps, beta (adversarial objectives).</summary>
    [JsonPropertyName("objective_args")] public IReadOnlyDictionary<string, double> ObjectiveArgs { get; init; } = new Dictionary<string, double>();
    /// <summary>Rows of the test set evaluated each epoch (0: all).</summary>
    [JsonPropertyName("eval_limit")] public int EvalLimit { get; init; }

    public static readonly IReadOnlyList<string> Optimizers = ["adam", "adamw", "sgd"];
    public static readonly IReadOnlyList<string> Schedules = ["constant", "step", "cosine", "onecycle"];

    /// <summary>Throws a <see cref="LabException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (!Optimizers.Contains(Optimizer)) throw new LabException($"unknown optimizer '{Optimizer}'; valid: {string.Join(", ", Optimizers)}");
        if (!Schedules.Contains(Schedule)) throw new LabException($"unknown schedule '{Schedule}'; valid: {string.Join(", ", Schedules)}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new LabException($"learning rate must be positive, got {LearningRate}");
        if (BatchSize <= 0) throw new LabException($"batch size must be positive, got {BatchSize}");
        if (Epochs <= 0) throw new LabException($"epochs must be positive, got {Epochs}");
        if (Momentum < 0 || Momentum >= 1) throw new LabException($"momentum must be in [0, 1), got {Momentum}");
        if (WeightDecay < 0) throw new LabException($"weight decay must be >= 0, got {WeightDecay}");
        if (StepEpochs <= 0) throw new LabException($"step_epochs must be positive, got {StepEpochs}");
        if (!(Gamma > 0) || Gamma > 1) throw new LabException($"gamma must be in (0, 1], got {Gamma}");
        if (EvalLimit < 0) throw new LabException($"eval_limit must be >= 0, got {EvalLimit}");
        TrainingObjectives.Validate(Objective, ObjectiveArgs);
    }
}
