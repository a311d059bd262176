using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Experiments;
using Spectre.Console;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab config validate FILE</c>: checks a config against the schema; every problem with file:line:column.</summary>
public sealed class ConfigValidateCommand : LabCommand<ConfigFileSettings>
{
    protected override int Run(ConfigFileSettings s, CancellationToken cancel)
    {
        var experiment = ExperimentLoader.Load(s.File, s.Set);
        var registry = StageRegistry.Default;
        var unwired = experiment.Config.Stages.Keys.Select(n => registry.Find(n)!).Where(d => !d.IsWired).ToList();
        AnsiConsole.MarkupLine($"[green]valid[/]: {Markup.Escape(s.File)} ({Markup.Escape(experiment.Name)}: {experiment.Config.Models.Count} model(s), " +
                               $"stages {Markup.Escape(string.Join(", ", experiment.Config.Stages.Keys.Prepend("models")))}" +
                               (experiment.IsSweep ? $", {experiment.Points.Count} sweep points" : "") + ")");
        foreach (var u in unwired)
            AnsiConsole.MarkupLine($"[yellow]note[/]: stage '{Markup.Escape(u.Name)}' is valid but cannot run in this build: {Markup.Escape(u.NotWiredReason ?? "")}");
        return CliHost.Ok;
    }
}
