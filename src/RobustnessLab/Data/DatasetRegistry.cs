using RobustnessLab.Core;
using static TorchSharp.torch;

namespace RobustnessLab.Data;

/// <summary>Datasets by name. Each entry loads train/validation/test splits from <see cref="DataOptions"/>.</summary>
public static class DatasetRegistry
{
    private static readonly Dictionary<string, Func<DataOptions, Device, DataSplits>> Loaders = new(StringComparer.OrdinalIgnoreCase)
    {
        [FashionMnist.Name] = (o, d) => FashionMnist.Load(o, d),
        [Mnist.Name] = (o, d) => Mnist.Load(o, d),
        [Gym.GymScenes.Name] = (o, d) => Gym.GymScenes.Load(o, d),
    };

    /// <summary>The files each file-backed named dataset's loader reads from a --data-dir (or its default folder).</summary>
    private static readonly Dictionary<string, Func<string?, (string Folder, IReadOnlyList<string> Files)?>> Sources = new(StringComparer.OrdinalIgnoreCase)
    {
        [FashionMnist.Name] = FashionMnist.Source,
        [Mnist.Name] = dir => Mnist.Source(dir),
    };

    public static IReadOnlyCollection<string> Names => Loaders.Keys;

    /// <summary>The folder and files a named dataset loads from <paramref name="dataDir"/>; null for a generated one (gym) or an unknown name.</summary>
    public static (string Folder, IReadOnlyList<string> Files)? Source(string name, string? dataDir) =>
        Sources.TryGetValue(name, out var source) ? source(dataDir) : null;

    /// <summary>The dataset to use when none is named: Fashion-MNIST when installed, else the embedded gym scenes.</summary>
    public static string DefaultName(string? dataDir = null) => FashionMnist.IsAvailable(dataDir) ? FashionMnist.Name : Gym.GymScenes.Name;

    public static DataSplits Load(string name, DataOptions options, Device device)
    {
        DataSplits splits;
        if (ByPath(name) is var (kind, path) && kind is not null)
            splits = kind == ImageFolderDataset.Prefix ? ImageFolderDataset.Load(path!, options, device) : Cifar10Binary.Load(path!, options, device);
        else if (Loaders.TryGetValue(name, out var load))
            splits = load(options, device);
        else
            throw new LabException($"unknown dataset '{name}'; valid: {string.Join(", ", Names)}");
        return splits with { SplitSeed = options.Seed };
    }

    /// <summary>The class names of a registered dataset, known without loading it (null for an unknown name).</summary>
    public static IReadOnlyList<string>? ClassNames(string name) =>
        string.Equals(name, FashionMnist.Name, StringComparison.OrdinalIgnoreCase) ? FashionMnist.ClassNames
        : string.Equals(name, Gym.GymScenes.Name, StringComparison.OrdinalIgnoreCase) ? Gym.GymScenes.ClassNames
        : null;
    /// <summary>
    /// Loads a dataset to evaluate or attack a model with: a by-path dataset (folder:, cifar10:) is converted to the
    /// model's input shape with the preprocessing recorded in its model.json.
    /// </summary>
    public static DataSplits LoadForModel(string name, DataOptions options, Models.CheckpointInfo model, Device device) =>
        Load(name, ByPath(name).Kind is null ? options : options with { Options = ForModel(model.InputShape, model.Preprocess, model.ClassNames) }, device);

    /// <summary>"folder:PATH" (ImageFolder layout) or "cifar10:PATH" (binary batches): (kind, path); else (null, null).</summary>
    public static (string? Kind, string? Path) ByPath(string name)
    {
        foreach (var kind in new[] { ImageFolderDataset.Prefix, Cifar10Binary.Prefix })
            if (name.StartsWith(kind + ":", StringComparison.OrdinalIgnoreCase))
            {
                var path = name[(kind.Length + 1)..];
                if (path.Length == 0) throw new LabException($"dataset '{name}': give a path after '{kind}:'");
                return (kind, path);
            }
        return (null, null);
    }

    /// <summary>Dataset options that make a by-path dataset match a model's input (shape and preprocessing).</summary>
    public static IReadOnlyDictionary<string, string> ForModel(int[] inputShape, Models.PreprocessInfo? preprocess, IReadOnlyList<string>? classNames = null)
    {
        var o = new Dictionary<string, string> { ["input_shape"] = string.Join("x", inputShape), ["preprocess"] = (preprocess ?? Models.PreprocessInfo.Default).Mode };
        if (classNames is not null) o["class_names"] = string.Join("\n", classNames);
        if (preprocess?.Resize is { } r) o["preprocess_resize"] = r.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return o;
    }

    public static void Validate(string name)
    {
        if (ByPath(name).Kind is not null) return;
        if (!Loaders.ContainsKey(name)) throw new LabException($"unknown dataset '{name}'; valid: {string.Join(", ", Names)}");
    }
}
