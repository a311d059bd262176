using RobustnessLab.Core;
using Spectre.Console;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>Synchronous sink for a progress bar: the library reports through IProgress; commands map it here.</summary>
public sealed class ProgressSink
{
    private readonly ProgressTask? task;
    private readonly TextWriter? lines;
    private readonly string title = "";
    private readonly System.Diagnostics.Stopwatch sinceLine = System.Diagnostics.Stopwatch.StartNew();

    internal ProgressSink(ProgressTask? task) => this.task = task;

    /// <summary>Plain-text progress for redirected output (a log file): one line at most every <see cref="LineInterval"/>.</summary>
    internal ProgressSink(TextWriter lines, string title)
    {
        this.lines = lines;
        this.title = title;
    }

    /// <summary>Minimum time between two plain-text progress lines.</summary>
    public static TimeSpan LineInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sets the bar to value of max, with a status text after the title.</summary>
    public void Set(double value, double max, string? status = null)
    {
        if (lines is not null)
        {
            // The first line only after one interval, so short commands (and their one-line errors) stay quiet.
            if (sinceLine.Elapsed < LineInterval) return;
            sinceLine.Restart();
            lines.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {title}: {100 * Math.Min(value, max) / Math.Max(max, 1e-9):F1}% {status}");
            lines.Flush();
            return;
        }
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
        if (settings.Quiet) return work(new ProgressSink(null));
        // Redirected to a log (a long run in the background): throttled plain lines on stderr, so progress stays
        // visible with `tail -f` and stdout keeps only the command's result.
        if (Console.IsOutputRedirected || !AnsiConsole.Profile.Capabilities.Interactive)
            return work(new ProgressSink(Console.Error, title));
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
