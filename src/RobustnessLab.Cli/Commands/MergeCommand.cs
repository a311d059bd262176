using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab merge DIR... --out DIR</c>: merges shard folders into one run (results.json and gallery).</summary>
public sealed class MergeCommand : LabCommand<MergeCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandArgument(0, "<DIR>")]
        [Description("shard run folders (from lab run --shard i/N)")]
        public string[] Dirs { get; set; } = [];

        [CommandOption("-o|--out <DIR>")]
        [Description("merged run folder (default: X for shards in X/shards/I, else results/<name>)")]
        public string? Out { get; set; }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var first = RunResults.Read(s.Dirs[0]);
        // Shards in X/shards/I merge into X by default (the layout of lab run --shard and of lab sweep's job files).
        var parents = s.Dirs.Select(d => Path.GetDirectoryName(Path.GetFullPath(d.TrimEnd('/', '\\')))).Distinct().ToList();
        var outDir = s.Out ?? (parents.Count == 1 && Path.GetFileName(parents[0]) == "shards"
            ? Path.GetDirectoryName(parents[0])!
            : Path.Combine("results", first.Name));
        var merged = ShardMerger.Merge(s.Dirs, outDir);
        // A run inside a results folder refreshes that folder's index.html (the list of every run).
        var parent = Path.GetDirectoryName(Path.GetFullPath(outDir.TrimEnd('/', '\\')))!;
        if (Path.GetFileName(parent) == "results") Gallery.WriteIndex(parent);
        RunExperimentCommand.Summarise(merged);
        AnsiConsole.MarkupLine($"merged {s.Dirs.Length} shard(s), {merged.Points.Count} point(s): {Markup.Escape(Path.GetFullPath(RunResults.PathIn(outDir)))}");
        AnsiConsole.MarkupLine($"gallery: [link]{Markup.Escape(Path.GetFullPath(Path.Combine(outDir, Gallery.PageFile)))}[/]");
        return CliHost.Ok;
    }
}
