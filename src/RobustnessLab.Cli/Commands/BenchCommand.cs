using RobustnessLab.Cli.Infrastructure;

namespace RobustnessLab.Cli.Commands;

public sealed class BenchCommand : LabCommand<BenchCommand.Settings>
{
    public sealed class Settings : LabSettings;

    protected override int Run(Settings s, CancellationToken cancel) => throw new Core.LabException("bench: not built yet");
}
