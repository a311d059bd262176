using System.Text.Json.Nodes;
using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Experiments;

/// <summary>One point of a sweep: its index in the grid, the values it assigns and the config they produce.</summary>
public sealed record SweepPoint(int Index, string Label, IReadOnlyDictionary<string, JsonNode?> Assignments, ExperimentConfig Config)
{
    /// <summary>Folder name of the point inside a sweep run ("007").</summary>
    public string Id => Index.ToString("D3", System.Globalization.CultureInfo.InvariantCulture);
}
