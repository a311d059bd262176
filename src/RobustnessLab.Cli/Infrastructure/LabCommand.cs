using RobustnessLab.Core;
using RobustnessLab.Models;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>
/// Base of every command: builds the <see cref="LabContext"/>, turns Ctrl-C into cancellation, and leaves error
/// handling to <see cref="CliHost"/>.
/// </summary>
public abstract class LabCommand<TSettings> : Command<TSettings> where TSettings : LabSettings
{
    public sealed override int Execute(CommandContext context, TSettings settings, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            if (cts.IsCancellationRequested) return; // second Ctrl-C: let the process die
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        // Process-wide (and inherited by worker processes), like RL_KEEP_NNPACK.
        if (settings.SkipGradientCheck) Environment.SetEnvironmentVariable(InputGradientCheck.SkipVariable, "1");
        try
        {
            return Run(settings, cts.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    protected abstract int Run(TSettings settings, CancellationToken cancel);

    protected static LabContext CreateContext(LabSettings s, int seed = 0)
    {
        if (s.Threads < 0) throw new UsageException($"--threads must be >= 0, got {s.Threads}");
        return LabContext.Create(s.Device, seed, s.Threads);
    }
}
