using RobustnessLab.Core;

namespace RobustnessLab.Models.Import;

/// <summary>
/// What to import: an architecture by name (<see cref="ModelZoo"/>), a weights file with PyTorch's state-dict names,
/// and what the model.json needs that the weights do not say. Unset fields take the architecture's defaults
/// (<see cref="ImportDefaults"/>).
/// </summary>
public sealed record ImportOptions
{
    public required string Architecture { get; init; }
    public required string WeightsPath { get; init; }
    /// <summary>"imagenet", "cifar10" or a file with one class name per line; default per architecture.</summary>
    public string? Classes { get; init; }
    /// <summary>C x H x W; default per architecture.</summary>
    public int[]? InputShape { get; init; }
    /// <summary>Normalisation the weights were trained with, per channel; default per architecture.</summary>
    public float[]? Mean { get; init; }
    public float[]? Std { get; init; }
    /// <summary>"torchvision", "resize" or "none" (<see cref="PreprocessInfo"/>); default per architecture.</summary>
    public string? Preprocess { get; init; }
    /// <summary>Architecture arguments, e.g. depth and widen_factor for wide-resnet.</summary>
    public IReadOnlyDictionary<string, double> Args { get; init; } = new Dictionary<string, double>();
}

/// <summary>The defaults of an import, defined once per architecture.</summary>
public sealed record ImportDefaults(int[] InputShape, string Classes, float[] Mean, float[] Std, string Preprocess)
{
    private static readonly float[] ImageNetMean = [0.485f, 0.456f, 0.406f];
    private static readonly float[] ImageNetStd = [0.229f, 0.224f, 0.225f];

    /// <summary>
    /// torchvision ResNets: ImageNet at 224 px with ImageNet normalisation and torchvision's resize-and-crop.
    /// CIFAR-10 models (RobustBench, Wong et al. 2020): 32 px, no normalisation inside the model (pass --mean/--std
    /// for weights trained on normalised inputs, as Wong et al.'s were), plain resize.
    /// </summary>
    public static ImportDefaults For(string architecture) => architecture.ToLowerInvariant() switch
    {
        "resnet18" or "resnet50" => new([3, 224, 224], "imagenet", ImageNetMean, ImageNetStd, "torchvision"),
        "preact-resnet18" or "wide-resnet" => new([3, 32, 32], "cifar10", [0f, 0f, 0f], [1f, 1f, 1f], "resize"),
        _ => throw new LabException($"architecture '{architecture}' has no import defaults: pass --input, --classes, --mean and --std"),
    };
}
