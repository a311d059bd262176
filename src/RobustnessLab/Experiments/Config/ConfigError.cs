namespace RobustnessLab.Experiments.Config;

/// <summary>One problem in a config: where, which key path, what is wrong (and what was probably meant).</summary>
public sealed record ConfigError(SourcePosition Position, string Path, string Message)
{
    public override string ToString() => Path.Length == 0 ? $"{Position}: {Message}" : $"{Position}: {Path}: {Message}";
}
