namespace RobustnessLab.Experiments.Config;

/// <summary>Where a config value came from: a file with 1-based line and column, or a command-line override.</summary>
public sealed record SourcePosition(string Source, int Line, int Column)
{
    /// <summary>A value given on the command line (e.g. "--set attacks[0].eps=[0.1]"): no line or column.</summary>
    public static SourcePosition CommandLine(string what) => new(what, 0, 0);

    public override string ToString() => Line > 0 ? $"{Source}:{Line}:{Column}" : Source;
}
