using System.ComponentModel;
using System.Text.Json.Serialization;
using RobustnessLab.Core;
using RobustnessLab.Models;
using RobustnessLab.Training;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// One model of the run: either a checkpoint folder to load, or a training spec (architecture, arguments and the
/// trainer's settings). Trained models are cached by a hash of their spec, so editing a later stage never retrains.
/// </summary>
public sealed record ModelConfig : IConfigSection
{
    [JsonPropertyName("checkpoint"), Description("checkpoint folder to load (from lab train); excludes every training key")]
    public string? Checkpoint { get; init; }

    [JsonPropertyName("architecture"), Description("softmax, mlp, maxout, cnn, lenet or resnet")]
    public string? Architecture { get; init; }

    [JsonPropertyName("args"), Description("architecture arguments, e.g. {width: 32}")]
    public IReadOnlyDictionary<string, double>? Args { get; init; }

    [JsonPropertyName("epochs"), Description("training epochs (5)")] public int? Epochs { get; init; }
    [JsonPropertyName("lr"), Description("peak learning rate (0.003)")] public double? LearningRate { get; init; }
    [JsonPropertyName("optimizer"), Description("adam, adamw or sgd (adam)")] public string? Optimizer { get; init; }
    [JsonPropertyName("schedule"), Description("constant, step, cosine or onecycle (onecycle)")] public string? Schedule { get; init; }
    [JsonPropertyName("momentum"), Description("SGD momentum (0.9)")] public double? Momentum { get; init; }
    [JsonPropertyName("weight_decay"), Description("weight decay (0.0005)")] public double? WeightDecay { get; init; }
    [JsonPropertyName("batch_size"), Description("batch size (128)")] public int? BatchSize { get; init; }

    [JsonPropertyName("objective"), Description("standard, or an adversarial objective: fgsm, fgsm-rs, pgd, trades")]
    public string? Objective { get; init; }

    [JsonPropertyName("objective_args"), Description("objective settings, e.g. {eps: 0.1, steps: 10}")]
    public IReadOnlyDictionary<string, double>? ObjectiveArgs { get; init; }

    [JsonPropertyName("seed"), Description("training seed (default: the experiment's seed)")] public int? Seed { get; init; }
    [JsonPropertyName("eval_limit"), Description("test rows evaluated after each epoch (0: all)")] public int? EvalLimit { get; init; }

    private static readonly string[] TrainingKeys =
        ["architecture", "args", "epochs", "lr", "optimizer", "schedule", "momentum", "weight_decay", "batch_size", "objective", "objective_args", "seed", "eval_limit"];

    [JsonIgnore] public bool IsCheckpoint => Checkpoint is not null;

    public void Validate(ConfigValidator v)
    {
        if (Checkpoint is not null)
        {
            if (string.IsNullOrWhiteSpace(Checkpoint)) v.Error("checkpoint", "must be a folder path");
            foreach (var k in TrainingKeys.Where(v.Given))
                v.Error(k, $"conflicting options: 'checkpoint' loads a trained model, '{k}' configures training; keep one");
            return;
        }
        if (Architecture is null)
        {
            v.Error("", "needs 'architecture' (to train a model) or 'checkpoint' (to load one)");
            return;
        }
        if (!ModelZoo.Names.Contains(Architecture, StringComparer.OrdinalIgnoreCase))
            v.Error("architecture", $"unknown architecture '{Architecture}'{DidYouMean.Hint(Architecture, ModelZoo.Names.ToList())}");
        else if (Args is not null)
        {
            var valid = ModelZoo.Get(Architecture).Defaults.Keys.ToList();
            foreach (var k in Args.Keys.Where(k => !valid.Contains(k)))
                v.Within("args", () => v.Error(k, $"'{Architecture}' has no argument '{k}'{(valid.Count == 0 ? " (it takes none)" : DidYouMean.Hint(k, valid))}"));
        }
        if (Epochs is { } e) v.Positive("epochs", e);
        if (LearningRate is { } lr) v.Positive("lr", lr);
        if (BatchSize is { } b) v.Positive("batch_size", b);
        if (Momentum is { } m && (m < 0 || m >= 1)) v.Error("momentum", $"must be in [0, 1), got {m}");
        if (WeightDecay is { } wd) v.NonNegative("weight_decay", wd);
        if (EvalLimit is { } el) v.NonNegative("eval_limit", el);
        v.OneOf("optimizer", Optimizer, TrainingOptions.Optimizers.ToList());
        v.OneOf("schedule", Schedule, TrainingOptions.Schedules.ToList());
        var objective = Objective ?? "standard";
        var known = TrainingObjectives.Names.ToList();
        if (!known.Contains(objective))
            v.Error("objective", $"unknown training objective '{objective}'{DidYouMean.Hint(objective, known)}");
        else if (ObjectiveArgs is not null)
        {
            try { TrainingObjectives.Validate(objective, ObjectiveArgs); }
            catch (LabException ex) { v.Error("objective_args", ex.Message); }
        }
        if (ObjectiveArgs is not null && ObjectiveArgs.TryGetValue("eps", out var eps)) v.Within("objective_args", () => v.Range("eps", eps, 0, 1));
    }

    /// <summary>The spec with every default written out (what `lab config show` prints and what the cache hashes).</summary>
    public ModelConfig Resolve(int experimentSeed)
    {
        if (IsCheckpoint) return this;
        var d = new TrainingOptions();
        var args = new SortedDictionary<string, double>(StringComparer.Ordinal);
        if (Architecture is not null && ModelZoo.Names.Contains(Architecture, StringComparer.OrdinalIgnoreCase))
            foreach (var (k, val) in ModelZoo.Get(Architecture).Defaults) args[k] = val;
        foreach (var (k, val) in Args ?? new Dictionary<string, double>()) args[k] = val;
        return this with
        {
            Architecture = Architecture?.ToLowerInvariant(),
            Args = args,
            Epochs = Epochs ?? d.Epochs,
            LearningRate = LearningRate ?? d.LearningRate,
            Optimizer = Optimizer ?? d.Optimizer,
            Schedule = Schedule ?? d.Schedule,
            Momentum = Momentum ?? d.Momentum,
            WeightDecay = WeightDecay ?? d.WeightDecay,
            BatchSize = BatchSize ?? d.BatchSize,
            Objective = Objective ?? d.Objective,
            ObjectiveArgs = new SortedDictionary<string, double>((ObjectiveArgs ?? new Dictionary<string, double>()).ToDictionary(), StringComparer.Ordinal),
            Seed = Seed ?? experimentSeed,
            EvalLimit = EvalLimit ?? d.EvalLimit,
        };
    }

    /// <summary>The training service's options of a resolved spec (what <c>lab train</c> builds from the same settings as flags).</summary>
    public ModelTrainingOptions ToModelTrainingOptions()
    {
        if (IsCheckpoint || Epochs is null) throw new InvalidOperationException("resolve a training spec first");
        return new ModelTrainingOptions
        {
            Architecture = Architecture!,
            Args = Args!,
            Training = new TrainingOptions
            {
                Optimizer = Optimizer!,
                LearningRate = LearningRate!.Value,
                Momentum = Momentum!.Value,
                WeightDecay = WeightDecay!.Value,
                Schedule = Schedule!,
                BatchSize = BatchSize!.Value,
                Epochs = Epochs.Value,
                Seed = Seed!.Value,
                Objective = Objective!,
                ObjectiveArgs = ObjectiveArgs!,
                EvalLimit = EvalLimit!.Value,
            },
        }.Resolved();
    }
}
