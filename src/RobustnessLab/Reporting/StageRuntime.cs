using System.Text.Json.Nodes;

namespace RobustnessLab.Reporting;

/// <summary>Facts about how a stage ran (time, whether a resumed run reused it, model cache hits): provenance, not results.</summary>
public sealed record StageRuntime
{
    public double Seconds { get; init; }
    public bool Reused { get; init; }
    public string Fingerprint { get; init; } = "";
    public JsonObject? Details { get; init; }
}
