using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab run FILE</c>: runs an experiment config and writes results.json and the gallery.</summary>
public sealed class RunExperimentCommand : LabCommand<RunExperimentCommand.Settings>
{
    public sealed class Settings : LabSettings, IFigureSettings
    {
        [CommandOption(IFigureSettings.FormatOption)][Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)][Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

        [CommandArgument(0, "<FILE>")]
        [Description("experiment config (.yaml, .yml or .json)")]
        public string File { get; set; } = "";

        [CommandOption("-o|--out <DIR>")]
        [Description("run folder (default: results/<name>, or results/<name>/shards/<i> with --shard)")]
        public string? Out { get; set; }

        [CommandOption("--set <KEY=VALUE>")]
        [Description("override a config value, repeatable: --set models.standard.epochs=2 --set attacks[[0]].eps=[[0.05,0.1]]")]
        public string[] Set { get; set; } = [];

        [CommandOption("--shard <I/N>")]
        [Description("run only shard I of N of the sweep's points (0-based); merge with lab merge")]
        public string? Shard { get; set; }

        [CommandOption("--workers <N>")]
        [Description("worker threads sharing the attack batches and PGD-AT's attack, threads split among them (default 1; attack results do not depend on it)")]
        public int? Workers { get; set; }

        [CommandOption("--cache <DIR>")]
        [Description("model cache (default: .cache/models beside the run folder)")]
        public string? Cache { get; set; }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var shard = s.Shard is null ? ShardSpec.Whole : ShardSpec.Parse(s.Shard);
        int threads = Core.ResourceLimits.Threads(s.Threads, "--threads", Warn);
        if (s.Workers <= 0) throw new UsageException($"--workers must be positive, got {s.Workers}");
        var experiment = ExperimentLoader.Load(s.File, s.Set);
        if (threads == 0) Core.ResourceLimits.Threads(experiment.Config.Threads, $"{s.File}: threads:", Warn);
        var runner = new ExperimentRunner();
        runner.Preflight(experiment, shard);
        // Shards default to results/NAME/shards/I, which `lab merge` then merges into results/NAME.
        var outDir = s.Out ?? (shard.IsWhole ? Path.Combine("results", experiment.Name) : Path.Combine("results", experiment.Name, "shards", shard.Index.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var mine = experiment.PointsOf(shard);
        if (!s.Quiet)
            AnsiConsole.MarkupLine($"[grey]run[/] {Markup.Escape(experiment.Name)}: {experiment.Config.Models.Count} model(s), stages {Markup.Escape(string.Join(", ", experiment.Config.Stages.Keys.Prepend("models")))}" +
                                   (experiment.IsSweep ? $", {mine.Count} of {experiment.Points.Count} sweep points" + (shard.IsWhole ? "" : $" (shard {shard})") : ""));
        var options = new RunOptions
        {
            OutDirectory = outDir,
            CacheDirectory = s.Cache,
            Shard = shard,
            DataDir = s.DataDir,
            Overrides = s.Set,
            Threads = threads,
            Workers = s.Workers,
            Cancel = cancel,
            Figures = ((IFigureSettings)s).Figures(),
        };
        var results = ConsoleProgress.Run(s, $"run {experiment.Name}", bar => runner.Run(experiment, options with
        {
            Progress = bar.For<ExperimentProgress>((b, p) => b.Set(p.Fraction * 1000, 1000, $"{p.Point} · {p.Stage}: {p.Status}")),
        }));
        // A run inside a results folder refreshes that folder's index.html (the list of every run).
        var parent = Path.GetDirectoryName(Path.GetFullPath(outDir.TrimEnd('/', '\\')))!;
        if (Path.GetFileName(parent) == "results") Gallery.WriteIndex(parent);
        Summarise(results);
        AnsiConsole.MarkupLine($"results: {Markup.Escape(Path.GetFullPath(RunResults.PathIn(outDir)))}");
        AnsiConsole.MarkupLine($"gallery: [link]{Markup.Escape(Path.GetFullPath(Path.Combine(outDir, Gallery.PageFile)))}[/]");
        return CliHost.Ok;
    }

    internal static void Summarise(RunResults results)
    {
        var table = new Table().Border(TableBorder.Simple).AddColumns("point", "stage", "headline", "run");
        foreach (var p in results.Points)
            foreach (var (stage, rt) in p.Runtime)
            {
                var view = p.Views.GetValueOrDefault(stage);
                var head = view is null ? "" : string.Join("; ", view.Headline.Take(4).Select(h => $"{h.Label}{(h.Model is null ? "" : $" ({h.Model})")} {Html.Format(h.Value, h.Format)}"));
                var markup = Markup.Escape(head) + (view is { Flags.Count: > 0 } ? $" [red]{view.Flags.Count} flag(s)[/]" : "");
                var how = rt.Details is not null
                    ? string.Join(", ", rt.Details.Select(d => $"{d.Key} {d.Value?["status"]}"))
                    : rt.Reused ? "reused" : $"{rt.Seconds:F1} s";
                table.AddRow(Markup.Escape(p.Label.Length == 0 ? "-" : $"{p.Index}"), Markup.Escape(stage), markup, Markup.Escape(how));
            }
        AnsiConsole.Write(table);
    }
}
