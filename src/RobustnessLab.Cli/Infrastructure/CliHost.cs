using RobustnessLab.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>
/// Exit codes and error lines for every command: 0 success, 1 runtime error (one line; stack trace with --verbose),
/// 2 usage error, 130 interrupted.
/// </summary>
public static class CliHost
{
    public const int Ok = 0;
    public const int RuntimeError = 1;
    public const int UsageError = 2;
    public const int Interrupted = 130;

    public static int Run(CommandApp app, string[] args)
    {
        bool verbose = args.Contains("--verbose");
        // Piped or logged output has no terminal to measure: Spectre then assumes 80 columns and wraps result tables
        // cell by cell. A log line may be long; keep the tables readable there (COLUMNS still wins when set).
        if (Console.IsOutputRedirected && Environment.GetEnvironmentVariable("COLUMNS") is null)
            AnsiConsole.Profile.Width = 160;
        try
        {
            return app.Run(NormalizeArguments(args));
        }
        catch (CommandAppException e) when (e is CommandParseException or CommandRuntimeException)
        {
            Error($"usage: {Flatten(e)} (see lab {FirstCommand(args)} --help)");
            if (verbose) AnsiConsole.WriteException(e);
            return UsageError;
        }
        catch (UsageException e)
        {
            Error($"usage: {e.Message} (see lab {FirstCommand(args)} --help)");
            return UsageError;
        }
        catch (LabUsageException e)
        {
            Error($"usage: {e.Message} (see lab {FirstCommand(args)} --help)");
            if (verbose) AnsiConsole.WriteException(e);
            return UsageError;
        }
        catch (OperationCanceledException)
        {
            Error("interrupted");
            return Interrupted;
        }
        catch (LabException e)
        {
            Error(e.Message);
            if (verbose) AnsiConsole.WriteException(e);
            return RuntimeError;
        }
        catch (Exception e)
        {
            Error($"{e.GetType().Name}: {e.Message}{(verbose ? "" : " (run with --verbose for the stack trace)")}");
            if (verbose) AnsiConsole.WriteException(e);
            return RuntimeError;
        }
    }

    /// <summary>
    /// Spectre.Console.Cli refuses one-letter long options, but "--n 1000" is how researchers write a sample count:
    /// accept it as the short option "-n".
    /// </summary>
    public static string[] NormalizeArguments(string[] args) =>
        args.Select(a => a == "--n" ? "-n" : a.StartsWith("--n=", StringComparison.Ordinal) ? "-n=" + a[4..] : a).ToArray();

    public static void Error(string message) => Console.Error.WriteLine("lab: error: " + message);

    /// <summary>The command path for the help hint: "train", or "data preview" for a branch's subcommand.</summary>
    private static string FirstCommand(string[] args)
    {
        var words = args.TakeWhile(a => !a.StartsWith('-')).Take(2).ToArray();
        return words.Length == 2 && Branches.Contains(words[0]) ? $"{words[0]} {words[1]}" : words.FirstOrDefault() ?? "";
    }

    private static readonly HashSet<string> Branches = ["data", "config", "sweep"];

    private static string Flatten(Exception e) => e.Message.Replace("\r", "").Replace("\n", " ").Trim();
}

/// <summary>A mistake in how a command was called (exit code 2).</summary>
public sealed class UsageException(string message) : Exception(message)
{
    /// <summary>Runs a library validation; its <see cref="LabException"/> becomes a usage error (exit 2).</summary>
    public static void Wrap(Action validate)
    {
        try { validate(); }
        catch (LabException e) { throw new UsageException(e.Message); }
    }
}
