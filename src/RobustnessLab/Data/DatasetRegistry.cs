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

    public static IReadOnlyCollection<string> Names => Loaders.Keys;

    /// <summary>The dataset to use when none is named: Fashion-MNIST when installed, else the embedded gym scenes.</summary>
    public static string DefaultName(string? dataDir = null) => FashionMnist.IsAvailable(dataDir) ? FashionMnist.Name : Gym.GymScenes.Name;

    public static DataSplits Load(string name, DataOptions options, Device device)
    {
        if (!Loaders.TryGetValue(name, out var load))
            throw new LabException($"unknown dataset '{name}'; valid: {string.Join(", ", Names)}");
        return load(options, device);
    }

    /// <summary>The class names of a registered dataset, known without loading it (null for an unknown name).</summary>
    public static IReadOnlyList<string>? ClassNames(string name) =>
        string.Equals(name, FashionMnist.Name, StringComparison.OrdinalIgnoreCase) ? FashionMnist.ClassNames
        : string.Equals(name, Gym.GymScenes.Name, StringComparison.OrdinalIgnoreCase) ? Gym.GymScenes.ClassNames
        : null;

    public static void Validate(string name)
    {
        if (!Loaders.ContainsKey(name)) throw new LabException($"unknown dataset '{name}'; valid: {string.Join(", ", Names)}");
    }
}
