using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Settings of one feature-visualisation run. Defaults follow Lucid/Lucent: Adam at 0.05, 512 steps, Fourier
/// parametrisation with decorrelated colour, the standard transforms (pixel amounts scaled to the image size).
/// </summary>
public sealed record VisualizationOptions
{
    public int Steps { get; init; } = 512;

    public double LearningRate { get; init; } = 0.05;

    /// <summary>One image per seed; image i depends only on seed i (its start noise and its transforms).</summary>
    public IReadOnlyList<int> Seeds { get; init; } = [0];

    public ParameterizationKind Parameterization { get; init; } = ParameterizationKind.Fourier;

    /// <summary>Optimise RGB images in decorrelated colour (ignored for greyscale).</summary>
    public bool Decorrelate { get; init; } = true;

    /// <summary>"standard" (Lucid's set scaled to the image size), "lucid" (verbatim) or "none".</summary>
    public string Transforms { get; init; } = "standard";

    /// <summary>Weight of the L2 penalty (distance from grey) subtracted from the objective.</summary>
    public double L2Weight { get; init; }

    /// <summary>Weight of the total-variation penalty subtracted from the objective.</summary>
    public double TvWeight { get; init; }

    /// <summary>Blur the image every this many steps (0: never).</summary>
    public int BlurEvery { get; init; }

    public double BlurSigma { get; init; } = 0.5;

    /// <summary>One Gaussian blur of this sigma (pixels) after the last step (0: none), as Lucid's final smoothing.</summary>
    public double FinalBlurSigma { get; init; }

    /// <summary>Steps after which to keep a copy of the images (the last step is always kept).</summary>
    public IReadOnlyList<int> SaveAt { get; init; } = [];

    /// <summary>Side of the optimised image; 0 = the model's input size. Larger images are resized to the model's size.</summary>
    public int ImageSize { get; init; }

    /// <summary>Standard deviation of the start noise in parameter space.</summary>
    public double InitSd { get; init; } = 0.01;

    /// <summary>A custom transform chain instead of <see cref="Transforms"/> (not serialised).</summary>
    [JsonIgnore] public ImageTransform? CustomTransform { get; init; }

    public static readonly IReadOnlyList<string> TransformSets = ["standard", "lucid", "none"];

    public void Validate(int modelHeight, int modelWidth)
    {
        if (Steps <= 0) throw new LabException($"steps must be positive, got {Steps}");
        if (!(LearningRate > 0) || double.IsInfinity(LearningRate)) throw new LabException($"learning rate must be positive, got {LearningRate}");
        if (Seeds.Count == 0) throw new LabException("at least one seed is needed");
        if (!TransformSets.Contains(Transforms)) throw new LabException($"unknown transform set '{Transforms}'; valid: {string.Join(", ", TransformSets)}");
        if (L2Weight < 0 || TvWeight < 0) throw new LabException($"regulariser weights must be >= 0, got l2 {L2Weight}, tv {TvWeight}");
        if (BlurEvery < 0) throw new LabException($"blur_every must be >= 0, got {BlurEvery}");
        if (BlurEvery > 0 && !(BlurSigma > 0)) throw new LabException($"blur sigma must be positive, got {BlurSigma}");
        if (!(FinalBlurSigma >= 0)) throw new LabException($"final blur sigma must be >= 0, got {FinalBlurSigma}");
        if (SaveAt.Any(s => s < 1 || s > Steps)) throw new LabException($"save steps must be in 1..{Steps}, got {string.Join(", ", SaveAt)}");
        if (!(InitSd >= 0)) throw new LabException($"init sd must be >= 0, got {InitSd}");
        int size = ImageSize == 0 ? Math.Max(modelHeight, modelWidth) : ImageSize;
        if (ImageSize < 0 || size < Math.Max(modelHeight, modelWidth))
            throw new LabException($"image size {ImageSize} is too small for the model's {modelHeight}x{modelWidth} input (use 0 for the model's size, or larger)");
        // The batch of Seeds images lives as its parametrisation, Adam's two moments, gradients, transformed copies and the
        // model's activations: about 32 copies of the images in float32, checked before any of it is allocated.
        ResourceLimits.RequireMemory(EstimatedBytes(size), $"{Seeds.Count} seed(s) at {size}x{size} px", "lower --seeds or --size (visualize.seeds, visualize.size)");
    }

    /// <summary>Rough peak memory of one objective's batch: 32 float32 copies of Seeds x 3 x size x size.</summary>
    public double EstimatedBytes(int size) => 32.0 * 4 * 3 * Seeds.Count * (double)size * size * (1 + SaveAt.Count / 32.0);
}
