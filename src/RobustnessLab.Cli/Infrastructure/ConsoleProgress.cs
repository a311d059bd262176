using RobustnessLab.Core;
using Spectre.Console;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>Synchronous sink for a progress bar: the library reports through IProgress; commands map it here.</summary>
public sealed class ProgressSink
{
    private readonly ProgressTask? task;

    internal ProgressSink(ProgressTask? task) => this.task = task;

    /// <summary>Sets the bar to value of max, with a status text after the title.</summary>
    public void Set(double value, double max, string? status = null)
    {
        if (task is null) return;
        task.MaxValue = Math.Max(max, 1e-9);
        task.Value = Math.Min(value, task.MaxValue);
        if (status is not null) task.Description = Markup.Escape(status);
    }

    /// <summary>An IProgress that calls back synchronously (System.Progress would post to the thread pool).</summary>
    public IProgress<T> For<T>(Action<ProgressSink, T> map) => new SyncProgress<T>(v => map(this, v));
}

/// <summary>Runs work under one Spectre progress bar (or none with --quiet or when output is not a terminal).</summary>
public static class ConsoleProgress
{
    public static T Run<T>(LabSettings settings, string title, Func<ProgressSink, T> work)
    {
        if (settings.Quiet || Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new ProgressSink(null));
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(false)
            .HideCompleted(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var task = ctx.AddTask(Markup.Escape(title));
                result = work(new ProgressSink(task));
                task.Value = task.MaxValue;
            });
        return result;
    }
}
