using System.Text.Json.Nodes;

namespace RobustnessLab.Reporting;

/// <summary>
/// The results of one sweep point (a run without a sweep has exactly one): each stage's result record under its name
/// (what `lab check` rules address), how to show it, and how it ran.
/// </summary>
public sealed record PointResult
{
    public int Index { get; init; }
    public string Label { get; init; } = "";
    public IReadOnlyDictionary<string, JsonNode?> Assignments { get; init; } = new Dictionary<string, JsonNode?>();

    /// <summary>Folder of the point relative to the run folder: "" for a run without sweep, "points/007" in a sweep.</summary>
    public string Directory { get; init; } = "";

    public Dictionary<string, JsonNode?> Stages { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, StageView> Views { get; init; } = new(StringComparer.Ordinal);
    public Dictionary<string, StageRuntime> Runtime { get; init; } = new(StringComparer.Ordinal);
}
