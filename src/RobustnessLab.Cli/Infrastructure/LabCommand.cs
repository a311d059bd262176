using System.Runtime.InteropServices;
using RobustnessLab.Core;
using RobustnessLab.Models;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>
/// Base of every command: builds the <see cref="LabContext"/>, turns Ctrl-C (SIGINT) and SIGTERM (what Slurm,
/// Kubernetes and `kill` send) into cancellation, and leaves error handling to <see cref="CliHost"/>: an interrupted
/// run is recorded as "interrupted" and exits 130, whichever signal stopped it.
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
        // Without this registration SIGTERM ends the process at once (exit 143) and a run stays "running".
        using var onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            if (cts.IsCancellationRequested) return; // second SIGTERM: default handling ends the process
            c.Cancel = true;
            cts.Cancel();
        });
        // Process-wide (and inherited by worker processes), like RL_KEEP_NNPACK.
        if (settings.SkipGradientCheck) Environment.SetEnvironmentVariable(InputGradientCheck.SkipVariable, "1");
        bool mkldnnWasOff = NativeRuntime.MkldnnDisabled;
        try
        {
            return Run(settings, cts.Token);
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
            if (!mkldnnWasOff && NativeRuntime.MkldnnDisabledReason is { } why) Warn("oneDNN convolutions were switched off for this run: " + why);
        }
    }

    protected abstract int Run(TSettings settings, CancellationToken cancel);

    protected static LabContext CreateContext(LabSettings s, int seed = 0)
    {
        return LabContext.Create(s.Device, seed, ResourceLimits.Threads(s.Threads, "--threads", Warn));
    }

    /// <summary>A warning line on the error stream (the result on stdout stays clean).</summary>
    protected static void Warn(string message) => Console.Error.WriteLine("lab: warning: " + message);
}
