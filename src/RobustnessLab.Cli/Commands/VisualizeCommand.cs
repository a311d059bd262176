using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab visualize`: what a checkpoint's classes (or any objective) look like to it, as a sheet (SVG and PNG).</summary>
public sealed class VisualizeCommand : LabCommand<VisualizeCommand.Settings>
{
    public sealed class Settings : LabSettings, IFigureSettings
    {
        [CommandOption(IFigureSettings.FormatOption)][Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)][Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

        [CommandOption("-m|--model <DIR>")][Description("checkpoint folder (required)")] public string? Model { get; set; }
        [CommandOption("--class <NAME>")][Description("class name or index (repeatable)")] public string[] Classes { get; set; } = [];
        [CommandOption("--all")][Description("every class")] public bool All { get; set; }
        [CommandOption("--objective <EXPR>")][Description("e.g. \"logit:Sneaker - 0.5*logit:Sandal\", channel:net.4:3, dream:net.4")] public string? Objective { get; set; }
        [CommandOption("-o|--out <FILE>")][Description("sheet to write: FILE.svg and FILE.png (a name ending in .svg or .png is taken without it)")][DefaultValue("visualization")] public string Out { get; set; } = "visualization";
        [CommandOption("--steps <N>")][Description("optimiser steps (default 512)")] public int? Steps { get; set; }
        [CommandOption("--seeds <N>")][Description("images per class, one per seed (default 3)")] public int? Seeds { get; set; }
        [CommandOption("--seed <N>")][DefaultValue(0)] public int Seed { get; set; }
        [CommandOption("--lr <RATE>")][Description("Adam learning rate (default 0.05)")] public double? LearningRate { get; set; }
        [CommandOption("--param <KIND>")][Description("fourier (default) or pixels")] public string? Param { get; set; }
        [CommandOption("--no-decorrelate")] public bool NoDecorrelate { get; set; }
        [CommandOption("--transforms <SET>")][Description("standard (default), lucid or none")] public string? Transforms { get; set; }
        [CommandOption("--l2 <W>")][Description("L2 penalty weight (default 0)")] public double? L2 { get; set; }
        [CommandOption("--tv <W>")][Description("total-variation penalty weight (default 0)")] public double? Tv { get; set; }
        [CommandOption("--blur-every <K>")][Description("blur every K steps (default 0: never)")] public int? BlurEvery { get; set; }
        [CommandOption("--size <PX>")][Description("optimised image size (default 0: the model's)")] public int? Size { get; set; }
        [CommandOption("--init-sd <SD>")][Description("random start of each seed in parameter space (default 0.01, Lucid's; larger makes seeds differ)")] public double? InitSd { get; set; }
        [CommandOption("--diversity <W>")][Description("weight of Lucid's diversity objective among the seeds of an objective (default 0: off)")] public double? Diversity { get; set; }
        [CommandOption("--diversity-layer <PATH>")][Description("layer whose Gram matrices the diversity objective compares (default net.6)")] public string? DiversityLayer { get; set; }
        [CommandOption("--json <FILE>")][Description("also write the record (objective values, class probabilities per image) as JSON")] public string? Json { get; set; }
        [CommandOption("--save-at <STEPS>")][Description("also show the images after these steps, e.g. 32,128")] public string? SaveAt { get; set; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model DIR is required");
            int modes = (All ? 1 : 0) + (Classes.Length > 0 ? 1 : 0) + (Objective is null ? 0 : 1);
            if (modes != 1) return ValidationResult.Error("give exactly one of --class NAME, --all or --objective EXPR");
            if (Seeds < 1) return ValidationResult.Error($"--seeds must be positive, got {Seeds}");
            return ValidationResult.Success();
        }
    }

    /// <summary>
    /// The library's options from the flags: <see cref="VisualizeOptions"/>' defaults, overridden by each flag given (what a
    /// config's <c>visualize:</c> section does with its keys).
    /// </summary>
    public static VisualizeOptions BuildOptions(Settings s)
    {
        var d = new VisualizeOptions();
        var o = d.Optimization;
        var kind = s.Param?.ToLowerInvariant() switch
        {
            null => o.Parameterization,
            "fourier" => ParameterizationKind.Fourier,
            "pixels" or "pixel" => ParameterizationKind.Pixels,
            _ => throw new UsageException($"--param must be fourier or pixels, got '{s.Param}'"),
        };
        return d with
        {
            Objectives = s.Objective is not null ? [s.Objective] : s.All ? null : s.Classes,
            Images = s.Seeds ?? d.Images,
            Seed = s.Seed,
            Diversity = s.Diversity ?? d.Diversity,
            DiversityLayer = s.DiversityLayer ?? d.DiversityLayer,
            Optimization = o with
            {
                Steps = s.Steps ?? o.Steps,
                LearningRate = s.LearningRate ?? o.LearningRate,
                Parameterization = kind,
                Decorrelate = !s.NoDecorrelate && o.Decorrelate,
                Transforms = s.Transforms ?? o.Transforms,
                L2Weight = s.L2 ?? o.L2Weight,
                TvWeight = s.Tv ?? o.TvWeight,
                BlurEvery = s.BlurEvery ?? o.BlurEvery,
                SaveAt = s.SaveAt is null ? o.SaveAt : LabSettings.ParseNumberList(s.SaveAt, "--save-at").Select(v => (int)v).ToArray(),
                ImageSize = s.Size ?? o.ImageSize,
                InitSd = s.InitSd ?? o.InitSd,
            },
        };
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var figures = ((IFigureSettings)s).Figures();
        IFigureSettings.FigureOutputName(s.Out);
        var options = BuildOptions(s);
        var ctx = CreateContext(s, s.Seed);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        try
        {
            options.Validate(model.Spec.Height, model.Spec.Width);
            Visualize.Resolve(options.Objectives, model.ClassNames); // an unknown --class is a usage error, before any step
        }
        catch (LabException e) { throw new UsageException(e.Message); }
        AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(s.Out))!);
        int steps = options.Optimization.Steps;
        var report = ConsoleProgress.Run(s, "visualize", bar => Visualize.Run(model, options, Path.GetFullPath(s.Model!),
            bar.For<(int Objective, int Objectives, VisualizationProgress Step)>((b, p) =>
                b.Set(p.Objective * steps + p.Step.Step, p.Objectives * steps, $"objective {p.Objective + 1}/{p.Objectives} step {p.Step.Step} objective {p.Step.Objective:G4}")), cancel));
        report = VisualizationSheets.Write(report, s.Out,
            $"{info.Architecture} on {info.Dataset ?? "?"}: {steps} steps, {options.Optimization.Parameterization.ToString().ToLowerInvariant()}", figures);
        foreach (var e in report.Entries)
            AnsiConsole.MarkupLine($"{Markup.Escape(e.Class ?? e.Objective)}: objective {string.Join(", ", e.FinalObjective.Select(v => v.ToString("G4")))}" +
                (e.ClassProbability is { } p ? $", P(class) {string.Join(", ", p.Select(v => v.ToString("F3")))}" : "") + $" ({e.Seconds:F1} s)");
        if (s.Json is not null) Core.Json.WriteFile(s.Json, report);
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(string.Join(", ", figures.Files(Path.GetFullPath(FigureWriter.Stem(s.Out))).All))}");
        return CliHost.Ok;
    }
}
