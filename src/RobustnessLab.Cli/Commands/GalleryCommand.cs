using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab gallery [DIR]</c>: rebuilds the gallery of a run folder, or of every run in a results folder and its index.</summary>
public sealed class GalleryCommand : LabCommand<GalleryCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandArgument(0, "[DIR]")]
        [Description("a run folder, or a folder of runs (default: results)")]
        public string Dir { get; set; } = "results";
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        if (!Directory.Exists(s.Dir)) throw new LabException($"'{s.Dir}' does not exist (run an experiment first: ./lab run experiments/quickstart.yaml)");
        if (File.Exists(RunResults.PathIn(s.Dir)))
        {
            var page = Gallery.RebuildRun(s.Dir);
            AnsiConsole.MarkupLine($"gallery: [link]{Markup.Escape(Path.GetFullPath(page))}[/]");
            return CliHost.Ok;
        }
        int n = 0, unreadable = 0;
        foreach (var dir in Directory.GetDirectories(s.Dir).Where(d => !Path.GetFileName(d).StartsWith('.') && File.Exists(RunResults.PathIn(d))).Order(StringComparer.Ordinal))
        {
            try
            {
                Gallery.RebuildRun(dir);
                n++;
            }
            catch (LabException e)
            {
                CliHost.Error($"{dir}: {e.Message} (listed as unreadable)");
                unreadable++;
            }
        }
        var index = Gallery.WriteIndex(s.Dir);
        AnsiConsole.MarkupLine($"{n} run page(s) rebuilt; index: [link]{Markup.Escape(Path.GetFullPath(index))}[/]");
        return unreadable == 0 ? CliHost.Ok : CliHost.RuntimeError;
    }
}
