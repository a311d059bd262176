using System.Text.Json.Nodes;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>A finished stage as saved in its point's stages/NAME.json: a resumed run reuses it when the fingerprint matches.</summary>
public sealed record StageRecord
{
    public string Stage { get; init; } = "";
    public int Version { get; init; }
    public string Fingerprint { get; init; } = "";
    public JsonNode? Data { get; init; }
    public StageView View { get; init; } = new();
    public double Seconds { get; init; }
}
