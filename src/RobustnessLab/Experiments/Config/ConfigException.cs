using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Config;

/// <summary>A config that cannot be used, with every problem found (not just the first), each with its position.</summary>
public sealed class ConfigException(IReadOnlyList<ConfigError> errors)
    : LabException(Format(errors))
{
    public IReadOnlyList<ConfigError> Errors { get; } = errors;

    private static string Format(IReadOnlyList<ConfigError> errors) => errors.Count == 1
        ? errors[0].ToString()
        : $"{errors.Count} problems in the config:\n" + string.Join("\n", errors.Select(e => "  " + e));
}
