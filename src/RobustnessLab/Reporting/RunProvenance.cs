using RobustnessLab.Core;

namespace RobustnessLab.Reporting;

/// <summary>Where and when a run happened: code and native versions, packages, threads, machine, start and end.</summary>
public sealed record RunProvenance
{
    public Provenance Code { get; init; } = new();
    public IReadOnlyDictionary<string, string> Packages { get; init; } = new Dictionary<string, string>();
    public string? ConfigFile { get; init; }
    public IReadOnlyList<string> Overrides { get; init; } = [];
    public DateTimeOffset Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    public double Seconds { get; init; }

    /// <summary>For a merged run: the provenance of each shard, in shard order.</summary>
    public IReadOnlyList<RunProvenance>? Shards { get; init; }

    /// <summary>Versions of the libraries a result depends on, read from the loaded assemblies.</summary>
    public static IReadOnlyDictionary<string, string> PackageVersions()
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var a in AppDomain.CurrentDomain.GetAssemblies())
        {
            var n = a.GetName();
            if (n.Name is "TorchSharp" or "SixLabors.ImageSharp" or "YamlDotNet" or "Spectre.Console" or "Spectre.Console.Cli" or "RobustnessLab" or "TorchSharp.PyBridge")
                result[n.Name] = n.Version?.ToString() ?? "unknown";
        }
        return result;
    }
}
