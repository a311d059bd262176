using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab visualize`: what a checkpoint's classes (or any objective) look like to it, as a PNG sheet.</summary>
public sealed class VisualizeCommand : LabCommand<VisualizeCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandOption("-m|--model <DIR>")] [Description("checkpoint folder (required)")] public string? Model { get; set; }
        [CommandOption("--class <NAME>")] [Description("class name or index (repeatable)")] public string[] Classes { get; set; } = [];
        [CommandOption("--all")] [Description("every class")] public bool All { get; set; }
        [CommandOption("--objective <EXPR>")] [Description("e.g. \"logit:Sneaker - 0.5*logit:Sandal\", channel:net.4:3, dream:net.4")] public string? Objective { get; set; }
        [CommandOption("-o|--out <FILE>")] [Description("PNG sheet to write")] [DefaultValue("visualization.png")] public string Out { get; set; } = "visualization.png";
        [CommandOption("--steps <N>")] [DefaultValue(512)] public int Steps { get; set; } = 512;
        [CommandOption("--seeds <N>")] [Description("images per class (one per seed)")] [DefaultValue(3)] public int Seeds { get; set; } = 3;
        [CommandOption("--seed <N>")] [DefaultValue(0)] public int Seed { get; set; }
        [CommandOption("--lr <RATE>")] [DefaultValue(0.05)] public double LearningRate { get; set; } = 0.05;
        [CommandOption("--param <KIND>")] [Description("fourier or pixels")] [DefaultValue("fourier")] public string Param { get; set; } = "fourier";
        [CommandOption("--no-decorrelate")] public bool NoDecorrelate { get; set; }
        [CommandOption("--transforms <SET>")] [Description("standard, lucid or none")] [DefaultValue("standard")] public string Transforms { get; set; } = "standard";
        [CommandOption("--l2 <W>")] [DefaultValue(0.0)] public double L2 { get; set; }
        [CommandOption("--tv <W>")] [DefaultValue(0.0)] public double Tv { get; set; }
        [CommandOption("--blur-every <K>")] [DefaultValue(0)] public int BlurEvery { get; set; }
        [CommandOption("--size <PX>")] [Description("optimised image size (0: the model's)")] [DefaultValue(0)] public int Size { get; set; }
        [CommandOption("--init-sd <SD>")] [Description("random start of each seed in parameter space (Lucid: 0.01; larger makes seeds differ)")] [DefaultValue(0.01)] public double InitSd { get; set; } = 0.01;
        [CommandOption("--diversity <W>")] [Description("weight of Lucid's diversity objective among the seeds of an objective (0: off)")] [DefaultValue(0.0)] public double Diversity { get; set; }
        [CommandOption("--diversity-layer <PATH>")] [Description("layer whose Gram matrices the diversity objective compares")] [DefaultValue("net.6")] public string DiversityLayer { get; set; } = "net.6";
        [CommandOption("--save-at <STEPS>")] [Description("also show the images after these steps, e.g. 32,128")] public string? SaveAt { get; set; }

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Model)) return ValidationResult.Error("--model DIR is required");
            int modes = (All ? 1 : 0) + (Classes.Length > 0 ? 1 : 0) + (Objective is null ? 0 : 1);
            if (modes != 1) return ValidationResult.Error("give exactly one of --class NAME, --all or --objective EXPR");
            if (Seeds < 1) return ValidationResult.Error($"--seeds must be positive, got {Seeds}");
            return ValidationResult.Success();
        }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        AtomicFile.RequireFileOutput(s.Out, "--out", ".png");
        var ctx = CreateContext(s, s.Seed);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        var kind = s.Param.ToLowerInvariant() switch
        {
            "fourier" => ParameterizationKind.Fourier,
            "pixels" => ParameterizationKind.Pixels,
            _ => throw new UsageException($"--param must be fourier or pixels, got '{s.Param}'"),
        };
        var saveAt = s.SaveAt is null ? [] : LabSettings.ParseNumberList(s.SaveAt, "--save-at").Select(v => (int)v).ToArray();
        var options = new VisualizationOptions
        {
            Steps = s.Steps,
            LearningRate = s.LearningRate,
            Seeds = Enumerable.Range(0, s.Seeds).Select(i => s.Seed * 1000 + i).ToArray(),
            Parameterization = kind,
            Decorrelate = !s.NoDecorrelate,
            Transforms = s.Transforms,
            L2Weight = s.L2,
            TvWeight = s.Tv,
            BlurEvery = s.BlurEvery,
            SaveAt = saveAt,
            ImageSize = s.Size,
            InitSd = s.InitSd,
        };
        if (s.Diversity < 0) throw new UsageException($"--diversity must be >= 0, got {s.Diversity}");
        UsageException.Wrap(() => options.Validate(model.Spec.Height, model.Spec.Width));
        var objectives = s.Objective is not null
            ? [(s.Objective, ObjectiveSpec.Parse(s.Objective, model.ClassNames), -1)]
            : (s.All ? Enumerable.Range(0, model.NumClasses) : s.Classes.Select(c => ObjectiveSpec.Class(c, model.ClassNames)))
                .Select(c => (model.ClassNames[c], Objectives.ClassLogit(c, model.ClassNames[c]), c)).ToList();
        // Diversity (Olah et al. 2017) couples the seeds of each objective: they are pushed toward different pictures.
        if (s.Diversity > 0 && options.Seeds.Count > 1)
            objectives = objectives.Select(o => (o.Item1, o.Item2 + s.Diversity * Objectives.Diversity(s.DiversityLayer), o.Item3)).ToList();
        AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(s.Out))!);
        var images = new List<ImageData>();
        var captions = new List<string>();
        int columns = options.Seeds.Count * (saveAt.Length + 1);
        var results = ConsoleProgress.Run(s, "visualize", bar =>
        {
            var list = new List<VisualizationResult>();
            for (int i = 0; i < objectives.Count; i++)
            {
                int index = i;
                list.Add(FeatureVisualizer.Render(model, objectives[i].Item2, options,
                    bar.For<VisualizationProgress>((b, p) => b.Set(index * options.Steps + p.Step, objectives.Count * options.Steps, $"{objectives[index].Item1} step {p.Step} objective {p.Objective:G4}")), cancel));
            }
            return list;
        });
        for (int i = 0; i < results.Count; i++)
        {
            int cls = objectives[i].Item3;
            foreach (var snap in results[i].Snapshots)
                for (int j = 0; j < snap.Images.Count; j++)
                {
                    images.Add(snap.Images[j]);
                    string p = cls >= 0 && snap.Step == options.Steps ? $" p={results[i].ClassProbabilities[j][cls]:F2}" : "";
                    captions.Add((j == 0 ? $"{objectives[i].Item1} " : "") + $"@{snap.Step}{p}");
                }
        }
        int scale = Math.Max(1, 128 / Math.Max(images[0].Height, 1));
        var sheet = ContactSheet.Draw(images, columns, scale, captions, $"{info.Architecture} on {info.Dataset ?? "?"}: {results[0].Steps} steps, {s.Param}");
        sheet.SavePng(s.Out);
        foreach (var (r, o) in results.Zip(objectives))
            AnsiConsole.MarkupLine($"{Markup.Escape(o.Item1)}: objective {string.Join(", ", r.FinalObjective.Select(v => v.ToString("G4")))}" +
                (o.Item3 >= 0 ? $", P(class) {string.Join(", ", r.ClassProbabilities.Select(p => p[o.Item3].ToString("F3")))}" : "") + $" ({r.Seconds:F1} s)");
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(s.Out))}");
        return CliHost.Ok;
    }
}
