using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Experiments;

/// <summary>A loaded, validated config: the base (with its sweep) and every point it expands to.</summary>
public sealed record Experiment(string Source, ExperimentConfig Config, IReadOnlyList<SweepPoint> Points)
{
    public bool IsSweep => Config.Sweep is { Count: > 0 };

    public string Name => Config.Name;

    /// <summary>Hash of the resolved config with its sweep: shards of one run share it.</summary>
    public string ConfigHash => Config.Resolve().Hash();

    /// <summary>The points of shard <paramref name="shard"/>: round-robin, so every shard gets a similar mix.</summary>
    public IReadOnlyList<SweepPoint> PointsOf(ShardSpec shard) => Points.Where(p => p.Index % shard.Count == shard.Index).ToList();
}
