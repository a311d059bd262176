using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab config show FILE --set ...</c>: prints the resolved config (defaults written out) and the sweep's points.</summary>
public sealed class ConfigShowCommand : LabCommand<ConfigShowCommand.Settings>
{
    public sealed class Settings : ConfigFileSettings
    {
        [CommandOption("--json")]
        [Description("print JSON instead of YAML")]
        public bool AsJson { get; set; }

        [CommandOption("--shards <N>")]
        [Description("also show which of N shards runs each sweep point")]
        public int Shards { get; set; }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var experiment = ExperimentLoader.Load(s.File, s.Set);
        var json = experiment.Config.Resolve().ToJson();
        Console.Out.Write(s.AsJson ? json.ToJsonString(Json.Options) + "\n" : YamlText.Write(json));
        if (experiment.IsSweep)
        {
            var prefix = s.AsJson ? "" : "# ";
            Console.Out.WriteLine($"{prefix}sweep: {experiment.Points.Count} points" + (s.Shards > 0 ? $" in {s.Shards} shards" : ""));
            foreach (var p in experiment.Points)
                Console.Out.WriteLine($"{prefix}  {p.Id}  {p.Label}" + (s.Shards > 0 ? $"  (shard {p.Index % s.Shards}/{s.Shards})" : ""));
        }
        return CliHost.Ok;
    }
}
