using System.ComponentModel;
using System.Text.Json.Serialization;
using RobustnessLab.Core;
using RobustnessLab.Dumbbell;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// <c>dumbbell:</c> the Inceptionism dumbbell-with-arm experiment (Mordvintsev, Olah, Tyka 2015): train one model on
/// scenes where the class almost always co-occurs with an arm (biased) and one where it does not (debiased), then
/// visualise the class for both and probe how much the arm alone drives the logit. Settings start from the library's
/// <c>scale</c> (<see cref="DumbbellOptions.ForScale"/>); every key given here overrides it.
/// </summary>
public sealed record DumbbellSection : IConfigSection
{
    /// <summary>The typed keys of the section; <c>options</c> takes every other numeric setting of <see cref="DumbbellOptions"/>.</summary>
    private static readonly string[] TypedSettings = ["seed", "p_dumbbell_arm", "p_arm", "epochs", "train", "vis_steps", "vis_seeds"];

    /// <summary>Further settings of <see cref="DumbbellOptions"/> that <c>options</c> (and <c>lab dumbbell --option</c>) may set, by their dumbbell.json names.</summary>
    public static IReadOnlyList<string> OptionKeys { get; } = NumericSettings.Names<DumbbellOptions>(TypedSettings);

    [JsonPropertyName("scale"), Description("quick (the quickstart's: fewer scenes, epochs and steps) or default (the library's tuned setting)")] public string Scale { get; init; } = "default";
    [JsonPropertyName("dataset"), Description("scene dataset (gym, the only one with arms)")] public string Dataset { get; init; } = "gym";
    [JsonPropertyName("class"), Description("the class to visualise (dumbbell)")] public string Class { get; init; } = "dumbbell";
    [JsonPropertyName("biased_arm_probability"), Description("P(arm | dumbbell) in the biased training set (the library's: 0.95)")] public double? BiasedArmProbability { get; init; }
    [JsonPropertyName("debiased_arm_probability"), Description("P(arm) for every class in the debiased training set (the library's: 0.5)")] public double? DebiasedArmProbability { get; init; }
    [JsonPropertyName("architecture"), Description("model trained on each set: cnn or resnet (the library's: cnn)")] public string? Architecture { get; init; }
    [JsonPropertyName("judge_architecture"), Description("the judge's own architecture, whatever the models': cnn or resnet (the library's: cnn)")] public string? JudgeArchitecture { get; init; }
    [JsonPropertyName("objective"), Description("training objective of both models: pgd-l2 (a robust prior), pgd or standard (the scale's)")] public string? Objective { get; init; }
    [JsonPropertyName("judge"), Description("train the independent judge and hold the pictures to its targets (the scale's)")] public bool? Judge { get; init; }
    [JsonPropertyName("detector"), Description("also train and report the arm detector of earlier versions (the scale's)")] public bool? Detector { get; init; }
    [JsonPropertyName("vis_param"), Description("visualisation parametrisation: fourier or pixels (the scale's)")] public string? VisParam { get; init; }
    [JsonPropertyName("vis_transforms"), Description("visualisation transforms: standard, lucid or none (the scale's)")] public string? VisTransforms { get; init; }
    [JsonPropertyName("vis_method"), Description("class pictures: lucid (activation maximisation), synthesis (robust synthesis from arm-free starts, Santurkar et al. 2019) or generator (through an autoencoder prior trained on debiased renders, Nguyen et al. 2016, then refined by vis_refine_steps of robust synthesis) (the scale's)")] public string? VisMethod { get; init; }
    [JsonPropertyName("vis_start"), Description("synthesis starts: class (a Gaussian per class), all (one for every class) or render (the arm-free render the generator starts from) (the scale's)")] public string? VisStart { get; init; }
    [JsonPropertyName("vis_generator_objective"), Description("generator pictures: what the steps on the code raise, log-probability or logit of the class (the scale's)")] public string? VisGeneratorObjective { get; init; }
    [JsonPropertyName("prior_schedule"), Description("generator pictures: learning-rate schedule of the prior's training: constant, step, cosine or onecycle (the scale's)")] public string? PriorSchedule { get; init; }
    [JsonPropertyName("epochs"), Description("training epochs per model (the scale's)")] public int? Epochs { get; init; }
    [JsonPropertyName("train_size"), Description("training scenes per set (the scale's)")] public int? TrainSize { get; init; }
    [JsonPropertyName("steps"), Description("visualisation steps (the scale's)")] public int? Steps { get; init; }
    [JsonPropertyName("samples"), Description("visualisations (seeds) per class and model (the scale's)")] public int? Samples { get; init; }
    [JsonPropertyName("options"), Description("further numeric settings by their dumbbell.json names: p_other_arm, size, test, width, hidden, dropout, learning_rate, batch_size, epsilon, adversarial_steps, judge_width, judge_hidden, judge_train, judge_epochs, judge_batch_size, judge_epsilon, judge_adversarial_steps, judge_noise_share, judge_prior_share, vis_image_size, vis_learning_rate, vis_init_sd, vis_diversity, vis_final_blur, vis_epsilon, vis_start_resolution, vis_start_renders, prior_latent, prior_train, prior_epochs, prior_learning_rate, prior_batch_size, prior_width, prior_code_noise, prior_edge_weight, prior_plain_floor_share, prior_weight, vis_generator_temperature, vis_generator_manifold_weight, vis_generator_start_weight, vis_refine_steps, vis_refine_manifold_weight, probe_count, control_train, control_epochs, detector_train, detector_epochs, detector_vis_seeds, detector_held_out_seeds")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        int before = v.Errors.Count;
        v.OneOf("scale", Scale, DumbbellOptions.Scales);
        v.OneOf("dataset", Dataset, ["gym"]);
        v.OneOf("class", Class, ["dumbbell"]);
        if (BiasedArmProbability is { } pb) v.Range("biased_arm_probability", pb, 0, 1);
        if (DebiasedArmProbability is { } pd) v.Range("debiased_arm_probability", pd, 0, 1);
        if (Architecture is not null) v.OneOf("architecture", Architecture, DumbbellOptions.Architectures);
        if (JudgeArchitecture is not null) v.OneOf("judge_architecture", JudgeArchitecture, DumbbellOptions.Architectures);
        if (Objective is not null) v.OneOf("objective", Objective, ["pgd-l2", "pgd", "standard"]);
        if (VisParam is not null) v.OneOf("vis_param", VisParam, ["fourier", "pixels"]);
        if (VisTransforms is not null) v.OneOf("vis_transforms", VisTransforms, FeatureVis.VisualizationOptions.TransformSets);
        if (VisMethod is not null) v.OneOf("vis_method", VisMethod, ["lucid", "synthesis", "generator"]);
        if (VisStart is not null) v.OneOf("vis_start", VisStart, ["class", "all", "render"]);
        if (VisGeneratorObjective is not null) v.OneOf("vis_generator_objective", VisGeneratorObjective, DumbbellOptions.GeneratorObjectives);
        if (PriorSchedule is not null) v.OneOf("prior_schedule", PriorSchedule, Training.TrainingOptions.Schedules);
        if (Epochs is { } e) v.Positive("epochs", e);
        if (TrainSize is { } t) v.Positive("train_size", t);
        if (Steps is { } s) v.Positive("steps", s);
        if (Samples is { } n) v.Positive("samples", n);
        foreach (var k in (Options ?? new Dictionary<string, double>()).Keys.Where(k => !OptionKeys.Contains(k)))
            v.Within("options", () => v.Error(k, $"unknown dumbbell setting '{k}'{DidYouMean.HintAndList(k, OptionKeys.ToList())}"));
        // The library's own checks catch what no single key can (e.g. the biased rate below the debiased one); they run
        // only when every key passed its own check, so one bad value is reported once, at its key.
        if (v.Errors.Count == before && DumbbellOptions.Scales.Contains(Scale) && (Options ?? new Dictionary<string, double>()).Keys.All(OptionKeys.Contains))
        {
            try
            {
                var o = ToOptions(0);
                if (o.PDumbbellArm <= o.PArm)
                    v.Error("biased_arm_probability", $"must exceed debiased_arm_probability ({o.PArm}) for the experiment to show a bias");
                o.Validate();
            }
            catch (Core.LabException ex) { v.Error("", ex.Message); }
        }
    }

    /// <summary>The library's options: the scale's, overridden by every key of the section (the same order as <c>lab dumbbell</c>'s flags).</summary>
    public DumbbellOptions ToOptions(int seed, string? outputDir = null)
    {
        var o = DumbbellOptions.ForScale(Scale);
        o = o with
        {
            Seed = seed,
            PDumbbellArm = BiasedArmProbability ?? o.PDumbbellArm,
            PArm = DebiasedArmProbability ?? o.PArm,
            Architecture = Architecture ?? o.Architecture,
            JudgeArchitecture = JudgeArchitecture ?? o.JudgeArchitecture,
            Objective = Objective ?? o.Objective,
            Judge = Judge ?? o.Judge,
            Detector = Detector ?? o.Detector,
            VisParameterization = VisParam ?? o.VisParameterization,
            VisTransforms = VisTransforms ?? o.VisTransforms,
            VisMethod = VisMethod ?? o.VisMethod,
            VisStart = VisStart ?? o.VisStart,
            VisGeneratorObjective = VisGeneratorObjective ?? o.VisGeneratorObjective,
            PriorSchedule = PriorSchedule ?? o.PriorSchedule,
            Epochs = Epochs ?? o.Epochs,
            Train = TrainSize ?? o.Train,
            VisSteps = Steps ?? o.VisSteps,
            VisSeeds = Samples ?? o.VisSeeds,
            OutputDir = outputDir,
        };
        return NumericSettings.Apply(o, Options, "dumbbell", TypedSettings);
    }
}
