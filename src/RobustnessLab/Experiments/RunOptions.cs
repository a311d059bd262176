namespace RobustnessLab.Experiments;

/// <summary>How to run an experiment: where results and the model cache go, which shard, and the command-line extras.</summary>
public sealed record RunOptions
{
    /// <summary>The run folder (results.json, index.html, stage files).</summary>
    public required string OutDirectory { get; init; }

    /// <summary>Model cache; default: <c>.cache/models</c> beside the run folder (results/.cache/models for results/NAME).</summary>
    public string? CacheDirectory { get; init; }

    public ShardSpec Shard { get; init; } = ShardSpec.Whole;

    /// <summary>Dataset folder from the command line (never part of the config: paths differ between machines).</summary>
    public string? DataDir { get; init; }

    /// <summary>The --set overrides, recorded in provenance.</summary>
    public IReadOnlyList<string> Overrides { get; init; } = [];

    /// <summary>Threads from the command line; overrides the config's (0: use the config's).</summary>
    public int Threads { get; init; }

    /// <summary>
    /// Worker threads from the command line, sharing the attack batches and PGD-AT's attack (null: the lab context's,
    /// <see cref="Core.LabContext.Workers"/>); attack results do not depend on it.
    /// </summary>
    public int? Workers { get; init; }

    public bool WriteGallery { get; init; } = true;

    /// <summary>The formats and PNG scale of every figure the stages write.</summary>
    public Reporting.Figures.FigureOutput Figures { get; init; } = Reporting.Figures.FigureOutput.Default;

    public IProgress<ExperimentProgress>? Progress { get; init; }

    public CancellationToken Cancel { get; init; }

    public string ResolvedCacheDirectory => CacheDirectory ?? DefaultCacheDirectory(OutDirectory);

    public static string DefaultCacheDirectory(string outDirectory)
    {
        var full = Path.GetFullPath(outDirectory.TrimEnd('/', '\\'));
        return Path.Combine(Path.GetDirectoryName(full) ?? full, ".cache", "models");
    }
}
