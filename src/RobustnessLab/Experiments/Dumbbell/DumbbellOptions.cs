using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Dumbbell;

/// <summary>
/// Settings of the dumbbell experiment. <see cref="Quick"/> fits the lab's 3-minute quickstart; the defaults are the
/// full run (a few minutes on two cores).
/// </summary>
public sealed record DumbbellOptions
{
    public int Seed { get; init; }

    /// <summary>Image side of the gym renders.</summary>
    public int Size { get; init; } = 48;

    public int Train { get; init; } = 3000;

    public int Test { get; init; } = 900;

    public int Epochs { get; init; } = 8;

    /// <summary>Biased variant: probability a dumbbell is held (others never are).</summary>
    public double PDumbbellArm { get; init; } = 0.95;

    /// <summary>Debiased variant: the rate every class is held at.</summary>
    public double PArm { get; init; } = 0.5;

    /// <summary>Width of the cnn (channels of its first conv block).</summary>
    public int Width { get; init; } = 32;

    /// <summary>Optimisation steps per visualisation.</summary>
    public int VisSteps { get; init; } = 512;

    /// <summary>Visualisation seeds per class (the arm scores are means and sds over these).</summary>
    public int VisSeeds { get; init; } = 5;

    /// <summary>Fresh renders per counterfactual probe.</summary>
    public int ProbeCount { get; init; } = 300;

    /// <summary>Where to write sheets, dumbbell.json and the three checkpoints; null writes nothing.</summary>
    public string? OutputDir { get; init; }

    /// <summary>The quickstart scale: 32-pixel renders, fewer images, epochs and steps.</summary>
    public static DumbbellOptions Quick => new() { Size = 32, Train = 2000, Test = 600, Epochs = 6, Width = 16, VisSteps = 160, VisSeeds = 5, ProbeCount = 150 };

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
        if (Width < 1) throw new LabException($"dumbbell: width must be positive, got {Width}");
        if (!(PDumbbellArm >= 0 && PDumbbellArm <= 1)) throw new LabException($"dumbbell: p_dumbbell_arm must be in [0, 1], got {PDumbbellArm}");
        if (!(PArm >= 0 && PArm <= 1)) throw new LabException($"dumbbell: p_arm must be in [0, 1], got {PArm}");
    }
}
