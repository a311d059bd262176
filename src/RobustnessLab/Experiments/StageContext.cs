using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Experiments;

/// <summary>Everything a stage may use: its section, the run's config, data and models, a folder for its files, progress.</summary>
public sealed class StageContext
{
    public required string Name { get; init; }
    public required object Section { get; init; }
    public required ExperimentConfig Config { get; init; }
    public required LabContext Lab { get; init; }
    /// <summary>The run's dataset (null when the config has none, e.g. a stage that makes its own data).</summary>
    public required DataSplits? Data { get; init; }

    public DataSplits RequireData() =>
        Data ?? throw new Core.LabException($"stage '{Name}' needs the run's dataset: add 'dataset:' to the config");
    public required IReadOnlyDictionary<string, TrainedModel> Models { get; init; }

    /// <summary>The run folder (image paths in views are relative to it).</summary>
    public required string RunDirectory { get; init; }

    /// <summary>This stage's own folder for files (inside the point's folder).</summary>
    public required string StageDirectory { get; init; }

    /// <summary>Results of the stages that ran before this one in the same point (models, eval, attacks, ...).</summary>
    public IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode?> Earlier { get; init; } = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>();

    public IProgress<StageProgress>? Progress { get; init; }
    public CancellationToken Cancel { get; init; }

    /// <summary>The formats and PNG scale of the figures this stage writes.</summary>
    public Reporting.Figures.FigureOutput Figures { get; init; } = Reporting.Figures.FigureOutput.Default;

    public T SectionAs<T>() where T : class =>
        Section as T ?? throw new InvalidOperationException($"stage '{Name}' expected a {typeof(T).Name} section, got {Section.GetType().Name}");

    /// <summary>The listed models in config order, or all of them when the list is absent.</summary>
    public IReadOnlyList<TrainedModel> ModelsFor(IReadOnlyList<string>? ids) =>
        ids is null ? Models.Values.ToList() : ids.Select(id => Models[id]).ToList();

    /// <summary>Seed of this stage, derived from the run's seed and the stage name (stable across runs and machines).</summary>
    public long Seed => SeedOf(Config.Seed, Name);

    /// <summary>The seed a stage of a run with seed <paramref name="runSeed"/> gets (what a command needs to reproduce it).</summary>
    public static long SeedOf(long runSeed, string stageName) => (long)LabContext.DeriveSeed(runSeed, StableHash(stageName));

    public void Report(double fraction, string status) => Progress?.Report(new StageProgress(Math.Clamp(fraction, 0, 1), status));

    /// <summary>Writes a file of this stage atomically and returns its path relative to the run folder ('/' separators).</summary>
    public string WriteFile(string fileName, Action<Stream> write)
    {
        if (fileName.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(fileName))
            throw new ArgumentException($"stage files stay inside the stage folder: '{fileName}'");
        var path = Path.Combine(StageDirectory, fileName);
        AtomicFile.Write(path, write);
        return Relative(path);
    }

    public string Relative(string path) => Path.GetRelativePath(RunDirectory, path).Replace('\\', '/');

    private static long StableHash(string s)
    {
        // FNV-1a: string.GetHashCode is randomised per process, which would break shard-vs-single equality.
        ulong h = 14695981039346656037UL;
        foreach (char c in s) { h ^= c; h *= 1099511628211UL; }
        return (long)(h & 0x7fffffffffffffffUL);
    }
}
