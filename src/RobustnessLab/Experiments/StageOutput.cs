using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>What a stage returns: its result record as JSON and its view for the gallery.</summary>
public sealed record StageOutput(JsonNode Data, StageView View)
{
    /// <summary>Wraps any result record (serialised with the lab's JSON style).</summary>
    public static StageOutput From<T>(T record, StageView view) =>
        new(JsonNode.Parse(Json.Serialize(record))!, view);
}
