using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Reporting.Figures;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Fooling;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab fool`: fooling images (Nguyen, Yosinski, Clune 2015, arXiv:1412.1897) for a checkpoint.</summary>
public sealed class FoolCommand : LabCommand<FoolCommand.Settings>
{
    public sealed class Settings : LabSettings, IFigureSettings
    {
        [CommandOption(IFigureSettings.FormatOption)] [Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)] [Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

        [CommandOption("-m|--model <DIR>")] [Description("checkpoint folder of the model to fool (required)")]
        public string? Model { get; set; }

        [CommandOption("--method <NAME>")] [Description("direct (pixel genes), cppn (pattern networks) or gradient (gradient ascent)")] [DefaultValue("direct")]
        public string Method { get; set; } = "direct";

        [CommandOption("-o|--out <DIR>")] [Description("output folder (required): fooling.json, champions.svg/.png, curve.svg/.png, curve.csv, champions/")]
        public string? Out { get; set; }

        [CommandOption("--generations <G>")] [Description("evolution generations (default 200 direct, 500 cppn)")]
        public int? Generations { get; set; }

        [CommandOption("--population <P>")] [Description("children per generation, scored in one batch")] [DefaultValue(200)]
        public int Population { get; set; } = 200;

        [CommandOption("--steps <S>")] [Description("gradient-ascent steps (method gradient; default 300)")]
        public int? Steps { get; set; }

        [CommandOption("--seed <N>")] [DefaultValue(0)] public int Seed { get; set; }

        [CommandOption("--classes <LIST>")] [Description("comma-separated class names or indices to fool (default: all)")]
        public string? Classes { get; set; }

        [CommandOption("--transfer-model <DIR>")] [Description("a second, independently trained checkpoint: its confidence in the same images")]
        public string? TransferModel { get; set; }

        [CommandOption("--mutation-rate <P>")] [Description("direct: initial per-gene mutation probability")] [DefaultValue(0.1)]
        public double MutationRate { get; set; } = 0.1;

        [CommandOption("--halving <N>")] [Description("direct: the mutation rate halves every N generations")] [DefaultValue(1000)]
        public int Halving { get; set; } = 1000;

        [CommandOption("--cross-rate <P>")] [Description("direct: probability of SBX crossover with a second elite (paper's text: 0; its released code: 0.5)")] [DefaultValue(0.0)]
        public double CrossRate { get; set; }

        [CommandOption("--start <KIND>")] [Description("gradient: noise or grey")] [DefaultValue("noise")]
        public string Start { get; set; } = "noise";

        [CommandOption("--target <P>")] [Description("gradient: an image stops once its confidence reaches P")] [DefaultValue(0.9999)]
        public double Target { get; set; } = 0.9999;

        [CommandOption("--step-size <S>")] [Description("gradient: RMS pixel change per step")] [DefaultValue(0.01)]
        public double StepSize { get; set; } = 0.01;

        [CommandOption("--l2-decay <D>")] [Description("gradient: fraction of the distance to the data mean removed per step")] [DefaultValue(0.001)]
        public double L2Decay { get; set; } = 0.001;

        [CommandOption("--blur-every <K>")] [Description("gradient: Gaussian blur every K steps (0: never)")] [DefaultValue(0)]
        public int BlurEvery { get; set; }

        [CommandOption("--blur-sigma <S>")] [Description("gradient: blur standard deviation in pixels")] [DefaultValue(0.5)]
        public double BlurSigma { get; set; } = 0.5;

        [CommandOption("--jitter <PX>")] [Description("gradient: random shift of up to PX pixels before each gradient")] [DefaultValue(0)]
        public int Jitter { get; set; }

        [CommandOption("--rubbish-samples <N>")] [Description("Gaussian-noise inputs for the rubbish-class rate (0: skip)")] [DefaultValue(1000)]
        public int RubbishSamples { get; set; } = 1000;

        [CommandOption("--no-distances")] [Description("skip the nearest-training-image distances (no dataset needed)")]
        public bool NoDistances { get; set; }

        [CommandOption("--scale <K>")] [Description("upscaling of the champion grid (nearest neighbour)")] [DefaultValue(4)]
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
        var classes = options.ResolveClasses(model.ClassNames);
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
            // The training rows the model saw: the same validation split (by the checkpoint's seed) is held out.
            data = DatasetRegistry.Load(name, new DataOptions(s.DataDir, Seed: info.Seed), ctx.Device);
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
                               $"{classes.Length} classes, {total} {(options.Method == FoolingMethod.Gradient ? "steps" : $"generations x {options.Population}")}, seed {s.Seed}, {ctx.Threads} threads");
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

    private static FoolingOptions BuildOptions(Settings s)
    {
        FoolingMethod method;
        try { method = FoolingOptions.ParseMethod(s.Method); }
        catch (LabException e) { throw new UsageException(e.Message); }
        if (method == FoolingMethod.Gradient && s.Generations is not null) throw new UsageException("--generations applies to direct and cppn; gradient fooling takes --steps");
        if (method != FoolingMethod.Gradient && s.Steps is not null) throw new UsageException($"--steps applies to gradient fooling; {s.Method} takes --generations");
        if (s.Scale < 1 || s.Scale > 32) throw new UsageException($"--scale must be in 1..32, got {s.Scale}");
        var start = s.Start.Trim().ToLowerInvariant() switch
        {
            "noise" => GradientStart.Noise,
            "grey" or "gray" => GradientStart.Grey,
            _ => throw new UsageException($"--start must be noise or grey, got '{s.Start}'"),
        };
        var options = new FoolingOptions
        {
            Method = method,
            Generations = s.Generations,
            Population = s.Population,
            Steps = s.Steps ?? 300,
            Seed = s.Seed,
            Classes = s.Classes?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
            MutationRate = s.MutationRate,
            MutationHalvingGenerations = s.Halving,
            CrossRate = s.CrossRate,
            GradientStart = start,
            TargetConfidence = s.Target,
            StepSize = s.StepSize,
            L2Decay = s.L2Decay,
            BlurEvery = s.BlurEvery,
            BlurSigma = s.BlurSigma,
            Jitter = s.Jitter,
            RubbishSamples = s.RubbishSamples,
        };
        try { options.Validate(); }
        catch (LabException e) { throw new UsageException(OptionName(e.Message)); }
        return options;
    }

    /// <summary>Names the command-line option in a library validation message (e.g. "population must be >= 2" -> "--population must be >= 2").</summary>
    private static string OptionName(string message)
    {
        foreach (var (prefix, option) in new[] { ("generations", "--generations"), ("population", "--population"), ("steps", "--steps"),
                     ("mutation rate", "--mutation-rate"), ("mutation halving period", "--halving"), ("cross rate", "--cross-rate"), ("step size", "--step-size"),
                     ("L2 decay", "--l2-decay"), ("blur period", "--blur-every"), ("blur sigma", "--blur-sigma"), ("jitter", "--jitter"),
                     ("target confidence", "--target"), ("rubbish samples", "--rubbish-samples") })
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
