using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Training;

namespace RobustnessLab.Experiments;

/// <summary>
/// What results.json says about a model: how it was made and how well it did in training. Deterministic for a spec
/// (no timings or paths, which live in the stage's runtime), so cached and freshly trained models give the same record.
/// </summary>
public sealed record ModelRecord
{
    public string Id { get; init; } = "";

    /// <summary>"trained" (from a spec, possibly cached) or "checkpoint".</summary>
    public string Source { get; init; } = "trained";

    /// <summary>Cache key of a trained model (hash of its spec and data), or hash of a checkpoint's weights.</summary>
    public string SpecHash { get; init; } = "";
    public string Architecture { get; init; } = "";
    public IReadOnlyDictionary<string, double> Args { get; init; } = new Dictionary<string, double>();
    public long Parameters { get; init; }
    public string? Dataset { get; init; }
    public string Objective { get; init; } = "standard";
    public IReadOnlyDictionary<string, double> ObjectiveArgs { get; init; } = new Dictionary<string, double>();
    public int Epochs { get; init; }
    public string? Checkpoint { get; init; }
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = new Dictionary<string, double>();

    /// <summary>Per-epoch losses and accuracies (timings removed).</summary>
    public JsonArray History { get; init; } = [];

    /// <summary>The results.json record of a model trained for the run (deterministic: no timings, no paths).</summary>
    public static ModelRecord Trained(string id, string key, ModelTrainingResult result) => new()
    {
        Id = id,
        Source = "trained",
        SpecHash = key,
        Architecture = result.Spec.Architecture,
        Args = result.Spec.Args,
        Parameters = result.Parameters,
        Dataset = result.Dataset,
        Objective = result.Options.Training.Objective,
        ObjectiveArgs = result.Options.Training.ObjectiveArgs,
        Epochs = result.Options.Training.Epochs,
        Metrics = result.Training.Metrics.Where(m => m.Key != "train_seconds").ToDictionary(m => m.Key, m => m.Value),
        History = StripTimings(result.Training.History),
    };

    private static JsonArray StripTimings(IReadOnlyList<EpochRecord> history)
    {
        var array = new JsonArray();
        foreach (var r in history)
        {
            var o = JsonNode.Parse(Json.Serialize(r))!.AsObject();
            o.Remove("seconds");
            o.Remove("images_per_s");
            o.Remove("rss_mb");
            array.Add(o);
        }
        return array;
    }
}
