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
        [CommandArgument(0, "<DIR>")] [Description("shard run folders (from lab run --shard i/N)")]
        public string[] Dirs { get; set; } = [];

        [CommandOption("-o|--out <DIR>")] [Description("merged run folder (default: results/<name>)")]
        public string? Out { get; set; }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var first = RunResults.Read(s.Dirs[0]);
        var outDir = s.Out ?? Path.Combine("results", first.Name);
        var merged = ShardMerger.Merge(s.Dirs, outDir);
        if (s.Out is null) Gallery.WriteIndex("results");
        RunExperimentCommand.Summarise(merged);
        AnsiConsole.MarkupLine($"merged {s.Dirs.Length} shard(s), {merged.Points.Count} point(s): {Markup.Escape(Path.GetFullPath(RunResults.PathIn(outDir)))}");
        AnsiConsole.MarkupLine($"gallery: [link]{Markup.Escape(Path.GetFullPath(Path.Combine(outDir, Gallery.PageFile)))}[/]");
        return CliHost.Ok;
    }
}
