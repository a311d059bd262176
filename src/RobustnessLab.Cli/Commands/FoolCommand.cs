using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Fooling;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab fool`: fooling images (Nguyen, Yosinski, Clune 2015, arXiv:1412.1897) for a checkpoint.</summary>
public sealed class FoolCommand : LabCommand<FoolCommand.Settings>
{
    public sealed class Settings : LabSettings, IFigureSettings
    {
        [CommandOption(IFigureSettings.FormatOption)][Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)][Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

        [CommandOption("-m|--model <DIR>")]
        [Description("checkpoint folder of the model to fool (required)")]
        public string? Model { get; set; }

        [CommandOption("--method <NAME>")]
        [Description("direct (pixel genes), cppn (pattern networks) or gradient (gradient ascent)")]
        [DefaultValue("direct")]
        public string Method { get; set; } = "direct";

        [CommandOption("-o|--out <DIR>")]
        [Description("output folder (required): fooling.json, champions.svg/.png, curve.svg/.png, curve.csv, champions/")]
        public string? Out { get; set; }

        [CommandOption("--generations <G>")]
        [Description("evolution generations (default 200 direct, 500 cppn)")]
        public int? Generations { get; set; }

        [CommandOption("--population <P>")]
        [Description("children per generation, scored in one batch (default 200)")]
        public int? Population { get; set; }

        [CommandOption("--steps <S>")]
        [Description("gradient-ascent steps (method gradient; default 300)")]
        public int? Steps { get; set; }

        [CommandOption("--seed <N>")][DefaultValue(0)] public int Seed { get; set; }

        [CommandOption("--classes <LIST>")]
        [Description("comma-separated class names or indices to fool (default: all)")]
        public string? Classes { get; set; }

        [CommandOption("--transfer-model <DIR>")]
        [Description("a second, independently trained checkpoint: its confidence in the same images")]
        public string? TransferModel { get; set; }

        [CommandOption("--mutation-rate <P>")]
        [Description("direct: initial per-gene mutation probability (default 0.1)")]
        public double? MutationRate { get; set; }

        [CommandOption("--halving <N>")]
        [Description("direct: the mutation rate halves every N generations (default 1000)")]
        public int? Halving { get; set; }

        [CommandOption("--cross-rate <P>")]
        [Description("direct: probability of SBX crossover with a second elite (default 0, the paper's text; its released code: 0.5)")]
        public double? CrossRate { get; set; }

        [CommandOption("--start <KIND>")]
        [Description("gradient: noise (default) or grey")]
        public string? Start { get; set; }

        [CommandOption("--target <P>")]
        [Description("gradient: an image stops once its confidence reaches P (default 0.9999)")]
        public double? Target { get; set; }

        [CommandOption("--step-size <S>")]
        [Description("gradient: RMS pixel change per step (default 0.01)")]
        public double? StepSize { get; set; }

        [CommandOption("--l2-decay <D>")]
        [Description("gradient: fraction of the distance to the data mean removed per step (default 0.001)")]
        public double? L2Decay { get; set; }

        [CommandOption("--blur-every <K>")]
        [Description("gradient: Gaussian blur every K steps (default 0: never)")]
        public int? BlurEvery { get; set; }

        [CommandOption("--blur-sigma <S>")]
        [Description("gradient: blur standard deviation in pixels (default 0.5)")]
        public double? BlurSigma { get; set; }

        [CommandOption("--jitter <PX>")]
        [Description("gradient: random shift of up to PX pixels before each gradient (default 0)")]
        public int? Jitter { get; set; }

        [CommandOption("--rubbish-samples <N>")]
        [Description("Gaussian-noise inputs for the rubbish-class rate (default 1000; 0: skip)")]
        public int? RubbishSamples { get; set; }

        [CommandOption("--workers <N>")]
        [Description("direct, cppn: worker threads sharing each generation's scoring pass, --threads split among them (default 1; the search does not depend on it)")]
        public int? Workers { get; set; }

        [CommandOption("--option <KEY=VALUE>")]
        [Description("any other setting by its fooling.json name, repeatable: mutation_eta, cross_eta, rubbish_threshold, cppn_add_node, ... (as a config's fooling.options)")]
        public string[] Option { get; set; } = [];

        [CommandOption("--no-distances")]
        [Description("skip the nearest-training-image distances (no dataset needed)")]
        public bool NoDistances { get; set; }

        [CommandOption("--scale <K>")]
        [Description("upscaling of the champion grid (nearest neighbour)")]
        [DefaultValue(4)]
        public int Scale { get; set; } = 4;

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model DIR is required");
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required");
            return ValidationResult.Success();
        }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var options = BuildOptions(s);
        var figures = ((IFigureSettings)s).Figures();
        var ctx = CreateContext(s, s.Seed);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        int[] classes = [];
        try { classes = options.ResolveClasses(model.ClassNames); }
        catch (LabException e) { throw new UsageException($"--classes: {e.Message}"); }
        Classifier? transfer = null;
        if (s.TransferModel is not null)
        {
            (transfer, var tInfo) = Checkpoint.Load(s.TransferModel, ctx.Device);
            if (!tInfo.InputShape.SequenceEqual(info.InputShape) || !tInfo.ClassNames.SequenceEqual(info.ClassNames))
            {
                transfer.Dispose();
                throw new LabException($"transfer model '{s.TransferModel}' ({string.Join("x", tInfo.InputShape)}, {tInfo.ClassNames.Count} classes) " +
                                       $"does not take the same inputs and classes as '{s.Model}' ({string.Join("x", info.InputShape)}, {info.ClassNames.Count} classes)");
            }
        }
        using var transferOwner = transfer;
        AtomicFile.EnsureWritableDirectory(s.Out!);

        DataSplits? data = null;
        if (!s.NoDistances)
        {
            var name = info.Dataset ?? FashionMnist.Name;
            // The training rows the model saw: the same validation split (by the checkpoint's split seed) is held out.
            data = DatasetRegistry.LoadForModel(name, new DataOptions(s.DataDir, Seed: info.DataSeed), info, ctx.Device);
            if (data.Channels != info.InputShape[0] || data.Height != info.InputShape[1] || data.Width != info.InputShape[2])
            {
                data.Dispose();
                throw new LabException($"model input shape {string.Join("x", info.InputShape)} does not match dataset '{name}'; use --no-distances");
            }
        }
        using var dataOwner = data;

        var inputs = new FoolingInputs(data?.Train, data?.Test, transfer, s.Model, s.TransferModel, ctx.Threads);
        int total = options.Method == FoolingMethod.Gradient ? options.Steps : options.EffectiveGenerations;
        AnsiConsole.MarkupLine($"[grey]fooling[/] {Markup.Escape(info.Architecture)} ({Markup.Escape(s.Model!)}) with {Markup.Escape(s.Method)}: " +
                               $"{classes.Length} classes, {total} {(options.Method == FoolingMethod.Gradient ? "steps" : $"generations x {options.Population}")}, seed {s.Seed}, " +
                               (options.Workers > 1 && options.Method != FoolingMethod.Gradient ? $"{options.Workers} workers x {Math.Max(1, ctx.Threads / options.Workers)} threads" : $"{ctx.Threads} threads"));
        var report = ConsoleProgress.Run(s, $"fool {s.Method}", bar => FoolingRun.Run(model, options, inputs,
            bar.For<FoolingProgress>((b, p) => b.Set(p.Iteration, p.Total, p.Phase == "search"
                ? $"{(options.Method == FoolingMethod.Gradient ? "step" : "gen")} {p.Iteration}/{p.Total} min p {FoolingFigures.FormatConfidence(p.MinConfidence)}, {p.ClassesAtTop}/{p.Classes} at top"
                : p.Phase)), cancel));
        report = FoolingFigures.WriteAll(report, s.Out!, s.Scale, figures);
        Print(report);
        AnsiConsole.MarkupLine($"written: {Markup.Escape(Path.GetFullPath(s.Out!))}/{{{FoolingFigures.JsonFile}, {string.Join(", ", report.Figures!.Values)}, {FoolingFigures.CurveCsvFile}, {FoolingFigures.ChampionFolder}/}}");
        if (report.Cancelled)
        {
            AnsiConsole.MarkupLine($"[yellow]interrupted after {report.Generations} {(options.Method == FoolingMethod.Gradient ? "steps" : "generations")}: the champions found so far were written[/]");
            return CliHost.Interrupted;
        }
        return CliHost.Ok;
    }

    /// <summary>
    /// The library's options from the flags: <see cref="FoolingOptions"/>' defaults, overridden by each flag given, then
    /// by each --option (what a config's <c>fooling:</c> section does for the same settings). Validated.
    /// </summary>
    public static FoolingOptions BuildOptions(Settings s)
    {
        FoolingMethod method;
        try { method = FoolingOptions.ParseMethod(s.Method); }
        catch (LabException e) { throw new UsageException(e.Message); }
        if (method == FoolingMethod.Gradient && s.Generations is not null) throw new UsageException("--generations applies to direct and cppn; gradient fooling takes --steps");
        if (method != FoolingMethod.Gradient && s.Steps is not null) throw new UsageException($"--steps applies to gradient fooling; {s.Method} takes --generations");
        if (method != FoolingMethod.Gradient && s.Target is not null)
            throw new UsageException($"--target applies to gradient fooling; {s.Method} records when each class crosses 0.99, 0.999 and 0.9999");
        if (s.Scale < 1 || s.Scale > 32) throw new UsageException($"--scale must be in 1..32, got {s.Scale}");
        var d = new FoolingOptions();
        var start = s.Start?.Trim().ToLowerInvariant() switch
        {
            null => d.GradientStart,
            "noise" => GradientStart.Noise,
            "grey" or "gray" => GradientStart.Grey,
            _ => throw new UsageException($"--start must be noise or grey, got '{s.Start}'"),
        };
        var options = d with
        {
            Method = method,
            Generations = s.Generations,
            Population = s.Population ?? d.Population,
            Steps = s.Steps ?? d.Steps,
            Seed = s.Seed,
            Classes = s.Classes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            MutationRate = s.MutationRate ?? d.MutationRate,
            MutationHalvingGenerations = s.Halving ?? d.MutationHalvingGenerations,
            CrossRate = s.CrossRate ?? d.CrossRate,
            GradientStart = start,
            TargetConfidence = s.Target ?? d.TargetConfidence,
            StepSize = s.StepSize ?? d.StepSize,
            L2Decay = s.L2Decay ?? d.L2Decay,
            BlurEvery = s.BlurEvery ?? d.BlurEvery,
            BlurSigma = s.BlurSigma ?? d.BlurSigma,
            Jitter = s.Jitter ?? d.Jitter,
            RubbishSamples = s.RubbishSamples ?? d.RubbishSamples,
            Workers = s.Workers ?? d.Workers,
        };
        try
        {
            options = NumericSettings.Apply(options, LabSettings.ParseNumericPairs(s.Option, "--option"), "fooling",
                ["seed", "generations", "population", "steps", "workers"]);
            options.Validate();
        }
        catch (LabException e) { throw new UsageException(OptionName(e.Message)); }
        return options;
    }

    /// <summary>Names the command-line option in a library validation message (e.g. "population must be >= 2" -> "--population must be >= 2").</summary>
    private static string OptionName(string message)
    {
        foreach (var (prefix, option) in new[] { ("generations", "--generations"), ("population", "--population"), ("steps", "--steps"),
                     ("mutation rate", "--mutation-rate"), ("mutation halving period", "--halving"), ("cross rate", "--cross-rate"), ("step size", "--step-size"),
                     ("L2 decay", "--l2-decay"), ("blur period", "--blur-every"), ("blur sigma", "--blur-sigma"), ("jitter", "--jitter"),
                     ("target confidence", "--target"), ("rubbish samples", "--rubbish-samples"), ("workers", "--workers") })
            if (message.StartsWith(prefix, StringComparison.Ordinal)) return option + message[prefix.Length..];
        return message;
    }

    private static void Print(FoolingReport r)
    {
        bool gradient = r.Method == "gradient";
        string unit = gradient ? "step" : "gen";
        var t = new Table().Border(TableBorder.Simple).AddColumns("class", "confidence", "8-bit PNG", $"{unit} .99", $"{unit} .9999", "s .9999",
            "NN train / class", "2nd model");
        string N(int? v) => v?.ToString(CultureInfo.InvariantCulture) ?? "-";
        string D(double? v, string f = "F1") => v?.ToString(f, CultureInfo.InvariantCulture) ?? "-";
        foreach (var c in r.Classes)
            t.AddRow(Markup.Escape(c.ClassName), FoolingFigures.FormatConfidence(c.Confidence), FoolingFigures.FormatConfidence(c.Confidence8Bit),
                N(c.GenerationsTo99), N(c.GenerationsTo9999), D(c.SecondsTo9999),
                c.NearestTrainL2 is null ? "-" : $"{D(c.NearestTrainL2)} / {D(c.WithinClassNearestL2)}",
                c.TransferConfidence is null ? "-" : $"{D(c.TransferConfidence, "F3")}");
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine("[grey]NN train / class: L2 to the nearest training image / median L2 of real test images of the class to their nearest same-class training image[/]");
        var sm = r.Summary;
        AnsiConsole.MarkupLine($"{sm.Reached99}/{sm.Classes} classes >= 0.99, {sm.Reached9999}/{sm.Classes} >= 0.9999; median confidence {FoolingFigures.FormatConfidence(sm.MedianConfidence)}; " +
                               $"{r.Generations} {(gradient ? "steps" : "generations")}, {r.Evaluations:N0} images scored in {r.Seconds:F1} s");
        foreach (var rb in r.Rubbish ?? [])
            AnsiConsole.MarkupLine($"rubbish class ({Markup.Escape(rb.Noise)}): {rb.ShareConfident:P2} of {rb.Samples:N0} noise inputs labelled with >= {rb.Threshold:P0} confidence; mean top confidence {rb.MeanConfidence:F3}");
    }
}
