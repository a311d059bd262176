using RobustnessLab.Core;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// Settings of the dumbbell experiment. The defaults are the full run (32-pixel renders: at this size six procedural
/// classes are still clearly distinct, and the whole run costs about five CPU-minutes); <see cref="Quick"/> is the
/// quickstart preset (fewer renders, epochs and visualisation steps).
/// </summary>
public sealed record DumbbellOptions
{
    public int Seed { get; init; }

    /// <summary>Image side of the gym renders.</summary>
    public int Size { get; init; } = 32;

    /// <summary>Training renders per model. Renders are cheap; a few thousand per class keep train and test accuracy together.</summary>
    public int Train { get; init; } = 10000;

    public int Test { get; init; } = 900;

    public int Epochs { get; init; } = 6;

    /// <summary>Biased variant: probability a dumbbell is held (others never are).</summary>
    public double PDumbbellArm { get; init; } = 0.95;

    /// <summary>Debiased variant: the rate every class is held at.</summary>
    public double PArm { get; init; } = 0.5;

    /// <summary>Model-zoo architecture of every classifier in the experiment (cnn or resnet).</summary>
    public string Architecture { get; init; } = "cnn";

    /// <summary>Width of the classifiers (channels of the first conv block).</summary>
    public int Width { get; init; } = 16;

    /// <summary>Hidden units of the cnn's dense layer.</summary>
    public int Hidden { get; init; } = 64;

    /// <summary>Peak Adam learning rate (one-cycle schedule).</summary>
    public double LearningRate { get; init; } = 3e-3;

    public int BatchSize { get; init; } = 64;

    /// <summary>
    /// Optimisation steps per visualisation. Lucid's 512 is for ImageNet networks; a small gym cnn's logit grows
    /// without bound and by 512 steps every pixel is saturated, so the pictures read best at 256.
    /// </summary>
    public int VisSteps { get; init; } = 256;

    /// <summary>Visualisation seeds per class (the arm scores are means and sds over these).</summary>
    public int VisSeeds { get; init; } = 6;

    /// <summary>Fresh renders per counterfactual probe.</summary>
    public int ProbeCount { get; init; } = 300;

    /// <summary>Training renders of the arm-free control model whose visualisations the arm detector learns from.</summary>
    public int ControlTrain { get; init; } = 6000;

    public int ControlEpochs { get; init; } = 5;

    /// <summary>Training images of the arm detector (half renders, half visualisation-like).</summary>
    public int DetectorTrain { get; init; } = 10000;

    public int DetectorEpochs { get; init; } = 10;

    /// <summary>Control-model visualisation seeds per class that the detector trains on.</summary>
    public int DetectorVisSeeds { get; init; } = 8;

    /// <summary>Further control-model seeds per class held out to measure the detector's false-positive rate.</summary>
    public int DetectorHeldOutSeeds { get; init; } = 2;

    /// <summary>Where to write sheets, dumbbell.json and the three checkpoints; null writes nothing.</summary>
    public string? OutputDir { get; init; }

    /// <summary>The quickstart scale: fewer images, epochs and visualisation steps.</summary>
    public static DumbbellOptions Quick => new()
    {
        Train = 4000, Test = 600, Epochs = 5, VisSteps = 128, VisSeeds = 5, ProbeCount = 150,
        ControlTrain = 2000, ControlEpochs = 3, DetectorTrain = 4000, DetectorEpochs = 6, DetectorVisSeeds = 4, DetectorHeldOutSeeds = 1,
    };

    public static readonly IReadOnlyList<string> Scales = ["quick", "default"];

    public static DumbbellOptions ForScale(string scale) => scale.ToLowerInvariant() switch
    {
        "quick" => Quick,
        "default" => new DumbbellOptions(),
        _ => throw new LabException($"unknown scale '{scale}'; valid: {string.Join(", ", Scales)}"),
    };

    public void Validate()
    {
        if (Size < 16) throw new LabException($"dumbbell: size must be at least 16, got {Size}");
        if (Train < 60 || Test < 60) throw new LabException($"dumbbell: train and test need at least 60 images each, got {Train} and {Test}");
        if (Epochs < 1) throw new LabException($"dumbbell: epochs must be positive, got {Epochs}");
        if (VisSteps < 1) throw new LabException($"dumbbell: vis steps must be positive, got {VisSteps}");
        if (VisSeeds < 1) throw new LabException($"dumbbell: vis seeds must be positive, got {VisSeeds}");
        if (ProbeCount < 10) throw new LabException($"dumbbell: probe count must be at least 10, got {ProbeCount}");
        if (Width < 1 || Hidden < 1) throw new LabException($"dumbbell: width and hidden must be positive, got {Width} and {Hidden}");
        if (Architecture is not ("cnn" or "resnet")) throw new LabException($"dumbbell: architecture must be cnn or resnet, got '{Architecture}'");
        if (!(LearningRate > 0) || BatchSize < 1) throw new LabException($"dumbbell: learning rate and batch size must be positive, got {LearningRate} and {BatchSize}");
        if (ControlTrain < 60 || DetectorTrain < 60) throw new LabException($"dumbbell: control and detector need at least 60 training images, got {ControlTrain} and {DetectorTrain}");
        if (ControlEpochs < 1 || DetectorEpochs < 1) throw new LabException($"dumbbell: control and detector epochs must be positive, got {ControlEpochs} and {DetectorEpochs}");
        if (DetectorVisSeeds < 1 || DetectorHeldOutSeeds < 1) throw new LabException($"dumbbell: detector visualisation seeds must be positive, got {DetectorVisSeeds} and {DetectorHeldOutSeeds}");
        if (!(PDumbbellArm >= 0 && PDumbbellArm <= 1)) throw new LabException($"dumbbell: p_dumbbell_arm must be in [0, 1], got {PDumbbellArm}");
        if (!(PArm >= 0 && PArm <= 1)) throw new LabException($"dumbbell: p_arm must be in [0, 1], got {PArm}");
    }
}
