using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Dumbbell;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab dumbbell`: the Inceptionism dumbbell experiment, biased vs debiased, sheets and dumbbell.json.</summary>
public sealed class DumbbellCommand : LabCommand<DumbbellCommand.Settings>
{
    public sealed class Settings : LabSettings, IFigureSettings
    {
        [CommandOption(IFigureSettings.FormatOption)][Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)][Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

        [CommandOption("-o|--out <DIR>")]
        [Description("folder for the sheets, dumbbell.json and the checkpoints (required)")]
        public string? Out { get; set; }

        [CommandOption("--seed <N>")][DefaultValue(0)] public int Seed { get; set; }

        [CommandOption("--scale <NAME>")]
        [Description("quick (the quickstart preset) or default (the full run)")]
        [DefaultValue("default")]
        public string Scale { get; set; } = "default";

        [CommandOption("--size <PX>")][Description("render size (overrides the scale's)")] public int? Size { get; set; }
        [CommandOption("--train <N>")][Description("training renders per model")] public int? Train { get; set; }
        [CommandOption("--test <N>")][Description("test renders per model")] public int? Test { get; set; }
        [CommandOption("--epochs <N>")] public int? Epochs { get; set; }
        [CommandOption("--steps <N>")][Description("optimisation steps per visualisation")] public int? Steps { get; set; }
        [CommandOption("--vis-seeds <N>")][Description("visualisation seeds per class")] public int? VisSeeds { get; set; }
        [CommandOption("--probes <N>")][Description("fresh renders per counterfactual probe")] public int? Probes { get; set; }
        [CommandOption("--p-dumbbell-arm <P>")][Description("biased: probability a dumbbell is held")] public double? PDumbbellArm { get; set; }
        [CommandOption("--p-arm <P>")][Description("debiased: rate every class is held at")] public double? PArm { get; set; }
        [CommandOption("--architecture <NAME>")][Description("cnn or resnet (the library's: cnn)")] public string? Architecture { get; set; }
        [CommandOption("--judge-architecture <NAME>")][Description("the judge's own architecture, whatever the models': cnn or resnet (the library's: cnn)")] public string? JudgeArchitecture { get; set; }
        [CommandOption("--objective <NAME>")][Description("training objective of both models: pgd-l2, pgd or standard (the scale's)")] public string? Objective { get; set; }
        [CommandOption("--eps <EPS>")][Description("adversarial training budget of both models (L2 radius for pgd-l2)")] public double? Eps { get; set; }
        [CommandOption("--param <KIND>")][Description("visualisation parametrisation: fourier or pixels")] public string? Param { get; set; }
        [CommandOption("--transforms <SET>")][Description("visualisation transforms: standard, lucid or none")] public string? Transforms { get; set; }
        [CommandOption("--reuse-models")][Description("load the models, generator prior, judge, detector and its control model from --out when they were trained by the same recipe (recipe.json, prior/prior.json), instead of training")] public bool ReuseModels { get; set; }
        [CommandOption("--vis-method <NAME>")][Description("class pictures: lucid (activation maximisation), synthesis (robust synthesis from arm-free starts, Santurkar et al. 2019) or generator (through an autoencoder prior trained on debiased renders, Nguyen et al. 2016, then refined by vis_refine_steps of robust synthesis)")] public string? VisMethod { get; set; }
        [CommandOption("--vis-start <FROM>")][Description("synthesis starts: class (a Gaussian per class), all (one Gaussian for every class) or render (the arm-free render the generator starts from: each model edits the same scene)")] public string? VisStart { get; set; }
        [CommandOption("--vis-generator-objective <F>")][Description("generator pictures: what the steps on the code raise, log-probability or logit of the class")] public string? VisGeneratorObjective { get; set; }
        [CommandOption("--prior-schedule <NAME>")][Description("generator pictures: learning-rate schedule of the prior's training, constant, step, cosine or onecycle")] public string? PriorSchedule { get; set; }
        [CommandOption("--diversity <W>")][Description("weight of Lucid's diversity objective among a class's seeds (0: off)")] public double? Diversity { get; set; }
        [CommandOption("--judge")][Description("train the judge and show its targets (default at the default scale)")] public bool Judge { get; set; }
        [CommandOption("--no-judge")][Description("skip the judge and its targets")] public bool NoJudge { get; set; }
        [CommandOption("--no-detector")][Description("skip the arm detector of earlier versions")] public bool NoDetector { get; set; }
        [CommandOption("--option <KEY=VALUE>")]
        [Description("further setting by its dumbbell.json name, repeatable: width, hidden, judge_train, vis_init_sd, vis_final_blur, vis_image_size, ... (as a config's dumbbell.options)")]
        public string[] Option { get; set; } = [];

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out DIR is required") : ValidationResult.Success();
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var o = Options(s);
        var figures = ((IFigureSettings)s).Figures();
        var ctx = CreateContext(s, s.Seed);
        var report = ConsoleProgress.Run(s, "dumbbell", bar => DumbbellExperiment.Run(o, ctx,
            bar.For<DumbbellProgress>((b, p) => b.Set(p.Stage - 1 + p.Fraction, p.Stages, p.Status)), cancel));
        report = DumbbellFigures.Write(report, s.Out!, figures);

        var table = new Table().Border(TableBorder.Simple).AddColumns("", "biased", "debiased");
        void Row(string name, Func<DumbbellModelReport, string> f) => table.AddRow(name, f(report.Biased), f(report.Debiased));
        Row("clean accuracy (test)", r => $"{r.CleanAccuracy:F3}");
        Row("accuracy on training images", r => $"{r.TrainAccuracy:F3}");
        if (report.JudgeObjectAccuracy is not null)
        {
            Row("dumbbell pictures, judge P(arm) (mean ± sd)", r => $"{r.JudgeArmScore!.Mean:F3} ± {r.JudgeArmScore.Sd:F3}");
            Row("dumbbell pictures, judge P(dumbbell) (mean ± sd)", r => $"{r.JudgeDumbbellScore!.Mean:F3} ± {r.JudgeDumbbellScore.Sd:F3}");
            Row("dumbbell pictures the judge reads as held", r => $"{r.JudgeHeldDumbbells} of {report.Options.VisSeeds}");
            Row("classes the judge reads in their pictures", r => $"{r.JudgeLegibleClasses} of {report.ClassNames.Count}");
        }
        Row("arm effect, paired scenes (mean ± sd)", r => $"{r.ArmEffect.Mean:F3} ± {r.ArmEffect.Sd:F3}");
        Row("  with only the hand / without the hand", r => $"{r.ArmEffectHandOnly.Mean:F3} / {r.ArmEffectWithoutHand.Mean:F3}");
        Row("  hand's share of the arm's pixels", r => $"{r.HandPixelShare:F3}");
        foreach (var (cls, part) in report.Biased.ObjectPartEffects)
            Row($"P({cls}) whole -> without its {part.Part}", r => r.ObjectPartEffects.TryGetValue(cls, out var e) ? $"{e.PWhole:F3} -> {e.PWithoutPart:F3}" : "");
        if (report.ArmDetectorAccuracy is not null)
        {
            Row("arm score, detector (mean ± sd)", r => $"{r.ArmScoreDetector!.Mean:F3} ± {r.ArmScoreDetector.Sd:F3}");
            Row("visualisations of all classes called 'arm'", r => $"{r.ArmCalledShareAllClasses:F3}");
            Row("visualisations of other classes called 'arm'", r => $"{r.ArmCalledShareOtherClasses:F3}");
        }
        Row("seed spread of its dumbbell pictures (RMS)", r => $"{r.SeedSpread:F3}");
        Row("arm score, skin attribution share", r => $"{r.ArmScoreSkin.Mean:F3} ± {r.ArmScoreSkin.Sd:F3}");
        Row("P(dumbbell) of its dumbbell vis", r => $"{r.VisualizationPDumbbell.Mean:F3}");
        Row("P(dumbbell | arm alone)", r => $"{r.PDumbbellArmOnly:F3}");
        Row("P(dumbbell | arm alone at a dumbbell's grip)", r => $"{r.PDumbbellArmAtDumbbellGrip:F3}");
        Row("accuracy, dumbbell without arm", r => $"{r.AccuracyDumbbellNoArm:F3}");
        Row("accuracy, dumbbell with arm", r => $"{r.AccuracyDumbbellWithArm:F3}");
        Row("other held object -> 'dumbbell'", r => $"{r.OtherHeldPredictedDumbbell:F3}");
        AnsiConsole.Write(table);
        if (report.JudgeObjectAccuracy is not null)
            AnsiConsole.MarkupLine($"judge: on held-out renders object accuracy {report.JudgeObjectAccuracy:F3}, arm accuracy {report.JudgeArmAccuracy:F3}, " +
                $"object accuracy under L2 PGD-20 at its training eps {report.JudgeRobustObjectAccuracy:F3}; object accuracy on the scenes' own floors " +
                $"{report.JudgeObjectAccuracyPlainFloor:F3}, on noise floors {(report.JudgeObjectAccuracyNoiseFloor is { } nf ? nf.ToString("F3") : "(none held out)")}");
        if (report.ArmDetectorAccuracy is not null)
            AnsiConsole.MarkupLine($"arm detector: accuracy on held-out renders {report.ArmDetectorAccuracy:F3}; on held-out arm-free visualisations " +
                $"false positives {report.ArmDetectorVisFalsePositiveRate:F3}, with an arm pasted in true positives {report.ArmDetectorVisTruePositiveRate:F3} " +
                $"(control model accuracy {report.ControlAccuracy:F3})");
        if (report.PriorReconstructionError is { } mse)
            AnsiConsole.MarkupLine($"generator prior: reconstruction error {mse:F4} on held-out debiased renders (their mean image: {report.PriorMeanImageError:F4}), " +
                $"trained in {report.PriorSeconds:F0} s" + (report.JudgeObjectAccuracyPriorReconstructions is { } through
                    ? $"; the judge reads the object in {report.JudgeObjectAccuracyPriorRenders:F3} of fresh renders and {through:F3} of the prior's reconstructions of them" +
                        (report.Options.VisRefineSteps > 0 ? " (the pictures are refined past them by robust synthesis)" : " (what bounds legibility through it)")
                    : ""));
        AnsiConsole.MarkupLine($"chance {report.Chance:F3}; {report.Seconds:F0} s" +
            (report.StageSeconds.Count == 0 ? "" : " (" + string.Join(", ", report.StageSeconds.Select(p => $"{p.Key.Replace('_', ' ')} {p.Value:F0} s")) + ")"));
        foreach (var t in report.Targets)
            AnsiConsole.MarkupLine($"{(t.Met ? "[green]met[/]   " : "[red]missed[/]")} {Markup.Escape(t.Name)}: {t.Value:F3} (target {Markup.Escape(t.Bound)})");
        foreach (var (k, v) in report.Files) AnsiConsole.MarkupLine($"[grey]{Markup.Escape(k)}:[/] {Markup.Escape(Path.Combine(Path.GetFullPath(s.Out!), v))}");
        return CliHost.Ok;
    }

    /// <summary>
    /// The library's options from the flags: the scale's, overridden by each flag given, then by each --option, in the
    /// order a config's <c>dumbbell:</c> section applies its keys (<see cref="DumbbellSection.ToOptions"/>).
    /// </summary>
    public static DumbbellOptions Options(Settings s)
    {
        if (!DumbbellOptions.Scales.Contains(s.Scale.ToLowerInvariant()))
            throw new UsageException($"--scale must be one of {string.Join(", ", DumbbellOptions.Scales)}, got '{s.Scale}'");
        var o = DumbbellOptions.ForScale(s.Scale);
        o = o with
        {
            Seed = s.Seed,
            OutputDir = Path.GetFullPath(s.Out!),
            PDumbbellArm = s.PDumbbellArm ?? o.PDumbbellArm,
            PArm = s.PArm ?? o.PArm,
            Architecture = s.Architecture ?? o.Architecture,
            JudgeArchitecture = s.JudgeArchitecture ?? o.JudgeArchitecture,
            Epochs = s.Epochs ?? o.Epochs,
            Train = s.Train ?? o.Train,
            VisSteps = s.Steps ?? o.VisSteps,
            VisSeeds = s.VisSeeds ?? o.VisSeeds,
            Size = s.Size ?? o.Size,
            Test = s.Test ?? o.Test,
            ProbeCount = s.Probes ?? o.ProbeCount,
            Objective = s.Objective ?? o.Objective,
            Epsilon = s.Eps ?? o.Epsilon,
            VisParameterization = s.Param ?? o.VisParameterization,
            VisTransforms = s.Transforms ?? o.VisTransforms,
            VisMethod = s.VisMethod ?? o.VisMethod,
            ReuseModels = s.ReuseModels,
            VisStart = s.VisStart ?? o.VisStart,
            VisGeneratorObjective = s.VisGeneratorObjective ?? o.VisGeneratorObjective,
            PriorSchedule = s.PriorSchedule ?? o.PriorSchedule,
            VisDiversity = s.Diversity ?? o.VisDiversity,
            Judge = !s.NoJudge && (s.Judge || o.Judge),
            Detector = o.Detector && !s.NoDetector,
        };
        var extra = LabSettings.ParseNumericPairs(s.Option, "--option");
        foreach (var key in extra.Keys.Where(k => !DumbbellSection.OptionKeys.Contains(k)))
            throw new UsageException($"--option {key}: unknown dumbbell setting{DidYouMean.HintAndList(key, DumbbellSection.OptionKeys.ToList())}");
        try
        {
            o = NumericSettings.Apply(o, extra, "dumbbell");
            o.Validate();
        }
        catch (LabException e) { throw new UsageException(e.Message); }
        return o;
    }
}
