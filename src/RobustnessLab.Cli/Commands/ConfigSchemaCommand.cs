using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Experiments;
using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab config schema</c>: every key of a config with its type, default and meaning.</summary>
public sealed class ConfigSchemaCommand : LabCommand<ConfigSchemaCommand.Settings>
{
    public sealed class Settings : LabSettings;

    protected override int Run(Settings s, CancellationToken cancel)
    {
        Console.Out.Write(ConfigSchema.Describe(StageRegistry.Default));
        return CliHost.Ok;
    }
}
