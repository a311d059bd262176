using System.ComponentModel;
using System.Text.Json.Serialization;
using RobustnessLab.Experiments.Dumbbell;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// <c>dumbbell:</c> the Inceptionism dumbbell-with-arm experiment (Mordvintsev, Olah, Tyka 2015): train one model on
/// scenes where the class almost always co-occurs with an arm (biased) and one where it does not (debiased), then
/// visualise the class for both and probe how much the arm alone drives the logit. Settings start from the library's
/// <c>scale</c> (<see cref="DumbbellOptions.ForScale"/>); every key given here overrides it.
/// </summary>
public sealed record DumbbellSection : IConfigSection
{
    /// <summary>Further settings of <see cref="DumbbellOptions"/> that <c>options</c> may set.</summary>
    public static readonly IReadOnlyList<string> OptionKeys =
        ["size", "test", "width", "hidden", "probe_count", "epsilon", "adversarial_steps", "judge", "judge_train", "judge_epochs", "judge_epsilon",
         "vis_lr", "vis_init_sd", "vis_diversity", "vis_final_blur",
         "detector", "control_train", "control_epochs", "detector_train", "detector_epochs", "detector_vis_seeds", "detector_held_out_seeds"];

    [JsonPropertyName("scale"), Description("quick (the quickstart's: fewer scenes, epochs and steps) or default (the library's tuned setting)")] public string Scale { get; init; } = "default";
    [JsonPropertyName("dataset"), Description("scene dataset (gym, the only one with arms)")] public string Dataset { get; init; } = "gym";
    [JsonPropertyName("class"), Description("the class to visualise (dumbbell)")] public string Class { get; init; } = "dumbbell";
    [JsonPropertyName("biased_arm_probability"), Description("P(arm | dumbbell) in the biased training set (0.95)")] public double BiasedArmProbability { get; init; } = 0.95;
    [JsonPropertyName("debiased_arm_probability"), Description("P(arm) for every class in the debiased training set (0.5)")] public double DebiasedArmProbability { get; init; } = 0.5;
    [JsonPropertyName("architecture"), Description("model trained on each set: cnn or resnet (cnn)")] public string Architecture { get; init; } = "cnn";
    [JsonPropertyName("objective"), Description("training objective of both models: pgd-l2 (a robust prior), pgd or standard (the scale's)")] public string? Objective { get; init; }
    [JsonPropertyName("vis_param"), Description("visualisation parametrisation: fourier or pixels (the scale's)")] public string? VisParam { get; init; }
    [JsonPropertyName("vis_transforms"), Description("visualisation transforms: standard, lucid or none (the scale's)")] public string? VisTransforms { get; init; }
    [JsonPropertyName("epochs"), Description("training epochs per model (the scale's)")] public int? Epochs { get; init; }
    [JsonPropertyName("train_size"), Description("training scenes per set (the scale's)")] public int? TrainSize { get; init; }
    [JsonPropertyName("steps"), Description("visualisation steps (the scale's)")] public int? Steps { get; init; }
    [JsonPropertyName("samples"), Description("visualisations (seeds) per class and model (the scale's)")] public int? Samples { get; init; }
    [JsonPropertyName("options"), Description("further settings: size, test, width, hidden, probe_count, epsilon, adversarial_steps, judge (0/1), judge_train, judge_epochs, judge_epsilon, vis_lr, vis_init_sd, vis_diversity, vis_final_blur, detector (0/1), control_train, control_epochs, detector_train, detector_epochs, detector_vis_seeds, detector_held_out_seeds")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.OneOf("scale", Scale, DumbbellOptions.Scales);
        v.OneOf("dataset", Dataset, ["gym"]);
        v.OneOf("class", Class, ["dumbbell"]);
        v.Range("biased_arm_probability", BiasedArmProbability, 0, 1);
        v.Range("debiased_arm_probability", DebiasedArmProbability, 0, 1);
        if (BiasedArmProbability <= DebiasedArmProbability)
            v.Error("biased_arm_probability", $"must exceed debiased_arm_probability ({DebiasedArmProbability}) for the experiment to show a bias");
        v.OneOf("architecture", Architecture, ["cnn", "resnet"]);
        if (Objective is not null) v.OneOf("objective", Objective, ["pgd-l2", "pgd", "standard"]);
        if (VisParam is not null) v.OneOf("vis_param", VisParam, ["fourier", "pixels"]);
        if (VisTransforms is not null) v.OneOf("vis_transforms", VisTransforms, FeatureVis.VisualizationOptions.TransformSets);
        if (Epochs is { } e) v.Positive("epochs", e);
        if (TrainSize is { } t) v.Positive("train_size", t);
        if (Steps is { } s) v.Positive("steps", s);
        if (Samples is { } n) v.Positive("samples", n);
        foreach (var k in (Options ?? new Dictionary<string, double>()).Keys.Where(k => !OptionKeys.Contains(k)))
            v.Within("options", () => v.Error(k, $"unknown dumbbell setting '{k}'{DidYouMean.Hint(k, OptionKeys.ToList())}; valid: {string.Join(", ", OptionKeys)}"));
        if (DumbbellOptions.Scales.Contains(Scale))
        {
            try { ToOptions(0).Validate(); }
            catch (Core.LabException ex) { v.Error("", ex.Message); }
        }
    }

    /// <summary>The library's options: the scale's, overridden by every key of the section.</summary>
    public DumbbellOptions ToOptions(int seed, string? outputDir = null)
    {
        var o = DumbbellOptions.ForScale(Scale);
        var extra = Options ?? new Dictionary<string, double>();
        int Int(string key, int fallback) => extra.TryGetValue(key, out var x) ? (int)x : fallback;
        double Real(string key, double fallback) => extra.TryGetValue(key, out var x) ? x : fallback;
        bool Flag(string key, bool fallback) => extra.TryGetValue(key, out var x) ? x != 0 : fallback;
        return o with
        {
            Seed = seed,
            PDumbbellArm = BiasedArmProbability,
            PArm = DebiasedArmProbability,
            Architecture = Architecture,
            Epochs = Epochs ?? o.Epochs,
            Train = TrainSize ?? o.Train,
            VisSteps = Steps ?? o.VisSteps,
            VisSeeds = Samples ?? o.VisSeeds,
            Objective = Objective ?? o.Objective,
            VisParameterization = VisParam ?? o.VisParameterization,
            VisTransforms = VisTransforms ?? o.VisTransforms,
            Epsilon = Real("epsilon", o.Epsilon),
            AdversarialSteps = Int("adversarial_steps", o.AdversarialSteps),
            Judge = Flag("judge", o.Judge),
            JudgeTrain = Int("judge_train", o.JudgeTrain),
            JudgeEpochs = Int("judge_epochs", o.JudgeEpochs),
            JudgeEpsilon = Real("judge_epsilon", o.JudgeEpsilon),
            VisLearningRate = Real("vis_lr", o.VisLearningRate),
            VisInitSd = Real("vis_init_sd", o.VisInitSd),
            VisDiversity = Real("vis_diversity", o.VisDiversity),
            VisFinalBlur = Real("vis_final_blur", o.VisFinalBlur),
            Detector = Flag("detector", o.Detector),
            Size = Int("size", o.Size),
            Test = Int("test", o.Test),
            Width = Int("width", o.Width),
            Hidden = Int("hidden", o.Hidden),
            ProbeCount = Int("probe_count", o.ProbeCount),
            ControlTrain = Int("control_train", o.ControlTrain),
            ControlEpochs = Int("control_epochs", o.ControlEpochs),
            DetectorTrain = Int("detector_train", o.DetectorTrain),
            DetectorEpochs = Int("detector_epochs", o.DetectorEpochs),
            DetectorVisSeeds = Int("detector_vis_seeds", o.DetectorVisSeeds),
            DetectorHeldOutSeeds = Int("detector_held_out_seeds", o.DetectorHeldOutSeeds),
            OutputDir = outputDir,
        };
    }
}
