using System.Collections;
using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// A whole experiment: what to train or load, on which data, and which stages to run on the models. Stage sections
/// are typed by the stage registry (so a new stage brings its own section); <see cref="Sweep"/> lists key paths and
/// the values each takes.
/// </summary>
public sealed record ExperimentConfig
{
    public static readonly IReadOnlyList<string> RootKeys = ["name", "seed", "device", "threads", "dataset", "models", "sweep"];

    [JsonPropertyName("name"), Description("run name: letters, digits, '.', '-', '_' (default output folder results/<name>)")]
    public string Name { get; init; } = "";

    [JsonPropertyName("seed"), Description("master seed; models and stages derive theirs from it (0)")]
    public int Seed { get; init; }

    [JsonPropertyName("device"), Description("cpu (default), cuda or cuda:N")]
    public string Device { get; init; } = "cpu";

    [JsonPropertyName("threads"), Description("libtorch threads (0: one per core)")]
    public int Threads { get; init; }

    [JsonPropertyName("dataset"), Description("name and options of the dataset the models train and are evaluated on")]
    public DatasetConfig? Dataset { get; init; }

    [JsonPropertyName("models"), Description("model id -> training spec or {checkpoint: DIR}")]
    public IReadOnlyDictionary<string, ModelConfig> Models { get; init; } = new Dictionary<string, ModelConfig>();

    /// <summary>Stage name -> bound section, in execution order.</summary>
    [JsonIgnore] public IReadOnlyDictionary<string, object> Stages { get; init; } = new Dictionary<string, object>();

    /// <summary>Key path -> values to sweep (a grid over all axes, first axis slowest).</summary>
    [JsonPropertyName("sweep"), Description("key path -> list of values, e.g. {seed: [0, 1, 2]}; a grid over all keys")]
    public IReadOnlyDictionary<string, JsonNode?>? Sweep { get; init; }

    public T? Section<T>(string stage) where T : class => Stages.TryGetValue(stage, out var s) ? s as T : null;

    /// <summary>Models with every training default written out.</summary>
    public ExperimentConfig Resolve() => this with
    {
        Models = Models.ToDictionary(p => p.Key, p => p.Value.Resolve(Seed), StringComparer.Ordinal),
    };

    /// <summary>The config as results.json and `lab config show` write it: fixed keys, then stages, then the sweep.</summary>
    public JsonObject ToJson()
    {
        var o = new JsonObject
        {
            ["name"] = Name,
            ["seed"] = Seed,
            ["device"] = Device,
            ["threads"] = Threads,
        };
        if (Dataset is not null) o["dataset"] = JsonNode.Parse(Json.Serialize(Dataset));
        o["models"] = JsonNode.Parse(Json.Serialize(Models));
        foreach (var (name, section) in Stages) o[name] = ExperimentConfig.SectionJson(section);
        if (Sweep is { Count: > 0 }) o["sweep"] = JsonNode.Parse(Json.Serialize(Sweep));
        return o;
    }

    /// <summary>A short hash of the resolved config (equal configs, equal hash; used to match shards and resumed runs).</summary>
    public string Hash() => HashOf(ToJson().ToJsonString());

    public static string HashOf(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..16];

    /// <summary>A stage section as JSON (its runtime type decides the shape).</summary>
    public static JsonNode SectionJson(object section) => JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(section, section.GetType(), Json.Options))!;

    /// <summary>Items of a list-shaped stage section (e.g. attacks), or the section itself.</summary>
    public static IEnumerable<object> SectionItems(object section) =>
        section is IEnumerable e and not string ? e.Cast<object>() : [section];
}
