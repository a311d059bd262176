using RobustnessLab.Core;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Settings of <see cref="Visualize.Run"/>: what to visualise (classes, channels, or any objective expression), how many
/// images per objective, the seed they derive from, and the optimisation itself. The only defaults of <c>lab visualize</c>
/// and the <c>visualize:</c> stage.
/// </summary>
public sealed record VisualizeOptions
{
    /// <summary>
    /// Objectives: class names or indices (their logit), <c>channel:LAYER:K</c>, or any expression of
    /// <see cref="ObjectiveSpec"/> ("logit:Sneaker - 0.5*logit:Sandal"); null or empty: every class.
    /// </summary>
    public IReadOnlyList<string>? Objectives { get; init; }

    /// <summary>Images per objective, one per seed.</summary>
    public int Images { get; init; } = 3;

    /// <summary>The seed every image's seed derives from.</summary>
    public int Seed { get; init; }

    /// <summary>
    /// Weight of Lucid's diversity objective (Olah, Mordvintsev, Schubert 2017) added to every objective when there is
    /// more than one image per objective: the images of one objective are pushed toward different pictures. 0: off.
    /// </summary>
    public double Diversity { get; init; }

    /// <summary>Layer whose Gram matrices the diversity objective compares.</summary>
    public string DiversityLayer { get; init; } = "net.6";

    /// <summary>The optimisation (its own <see cref="VisualizationOptions.Seeds"/> are replaced by <see cref="ImageSeeds"/>).</summary>
    public VisualizationOptions Optimization { get; init; } = new();

    /// <summary>The seed of each image: derived from <see cref="Seed"/>, so image i is the same for any number of images.</summary>
    public IReadOnlyList<int> ImageSeeds => Enumerable.Range(0, Images).Select(i => (int)(LabContext.DeriveSeed(Seed, 0x515 + i) & 0x7fffffff)).ToList();

    public void Validate(int modelHeight, int modelWidth)
    {
        if (Images < 1) throw new LabException($"images per objective must be positive, got {Images}");
        if (!(Diversity >= 0)) throw new LabException($"diversity weight must be >= 0, got {Diversity}");
        (Optimization with { Seeds = ImageSeeds }).Validate(modelHeight, modelWidth);
    }
}
