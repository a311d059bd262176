using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>Settings shared by <c>lab config validate</c> and <c>lab config show</c>.</summary>
public class ConfigFileSettings : LabSettings
{
    [CommandArgument(0, "<FILE>")]
    [Description("experiment config (.yaml, .yml or .json)")]
    public string File { get; set; } = "";

    [CommandOption("--set <KEY=VALUE>")]
    [Description("override a config value, repeatable")]
    public string[] Set { get; set; } = [];
}
