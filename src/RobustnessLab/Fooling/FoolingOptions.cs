using System.Globalization;
using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Fooling;

/// <summary>
/// Settings of a fooling run. Defaults follow Nguyen, Yosinski, Clune 2015 (arXiv:1412.1897): population 200,
/// per-gene mutation rate 0.1 halved every 1000 generations, polynomial mutation eta 15; CPPN activations sine,
/// sigmoid, gaussian, linear. <see cref="Validate"/> names the first bad value.
/// </summary>
public sealed record FoolingOptions
{
    [JsonPropertyName("method")] public FoolingMethod Method { get; init; } = FoolingMethod.Direct;
    /// <summary>Generations of evolution; null: 200 (direct) or 500 (cppn).</summary>
    [JsonPropertyName("generations")] public int? Generations { get; init; }
    /// <summary>Children per generation, all scored in one forward pass.</summary>
    [JsonPropertyName("population")] public int Population { get; init; } = 200;
    /// <summary>Gradient-ascent steps.</summary>
    [JsonPropertyName("steps")] public int Steps { get; init; } = 300;
    [JsonPropertyName("seed")] public int Seed { get; init; }
    /// <summary>Classes to fool, by name or index; null or empty: all of the model's classes.</summary>
    [JsonPropertyName("classes")] public IReadOnlyList<string>? Classes { get; init; }
    /// <summary>Confidence levels whose first crossing is recorded.</summary>
    [JsonPropertyName("thresholds")] public IReadOnlyList<double> Thresholds { get; init; } = [0.99, 0.999, 0.9999];

    /// <summary>
    /// Worker threads sharing each generation's scoring pass (evolutionary methods), the run's threads split among them;
    /// every child gets the same scores as in one pass, so the search does not depend on it.
    /// </summary>
    [JsonPropertyName("workers")] public int Workers { get; init; } = 1;

    // Direct encoding.
    [JsonPropertyName("mutation_rate")] public double MutationRate { get; init; } = 0.1;
    [JsonPropertyName("mutation_halving_generations")] public int MutationHalvingGenerations { get; init; } = 1000;
    [JsonPropertyName("mutation_eta")] public double MutationEta { get; init; } = 15;
    /// <summary>Probability of SBX crossover with a second elite before mutation (the paper's text: none; its released sferes2 code: 0.5).</summary>
    [JsonPropertyName("cross_rate")] public double CrossRate { get; init; }
    [JsonPropertyName("cross_eta")] public double CrossEta { get; init; } = 10;

    // CPPN encoding.
    [JsonPropertyName("cppn")] public CppnMutation Cppn { get; init; } = new();

    // Gradient ascent.
    [JsonPropertyName("gradient_start")] public GradientStart GradientStart { get; init; } = GradientStart.Noise;
    /// <summary>Root-mean-square pixel change per step (the step is the normalised L2 gradient direction).</summary>
    [JsonPropertyName("step_size")] public double StepSize { get; init; } = 0.01;
    /// <summary>Fraction of each pixel's distance to the data mean removed per step (L2 decay).</summary>
    [JsonPropertyName("l2_decay")] public double L2Decay { get; init; } = 0.001;
    /// <summary>Gaussian blur every this many steps (0: never).</summary>
    [JsonPropertyName("blur_every")] public int BlurEvery { get; init; }
    [JsonPropertyName("blur_sigma")] public double BlurSigma { get; init; } = 0.5;
    /// <summary>Random translation of up to this many pixels before each gradient (0: none).</summary>
    [JsonPropertyName("jitter")] public int Jitter { get; init; }
    /// <summary>An image stops changing once its confidence reaches this; the run stops when all have.</summary>
    [JsonPropertyName("target_confidence")] public double TargetConfidence { get; init; } = 0.9999;

    // Measurements.
    /// <summary>Gaussian-noise inputs for the rubbish-class measurement (0: skip it).</summary>
    [JsonPropertyName("rubbish_samples")] public int RubbishSamples { get; init; } = 1000;
    [JsonPropertyName("rubbish_threshold")] public double RubbishThreshold { get; init; } = 0.9;
    /// <summary>Real test images per class used for the typical within-class distances.</summary>
    [JsonPropertyName("reference_per_class")] public int ReferencePerClass { get; init; } = 100;

    public static readonly IReadOnlyList<string> MethodNames = ["direct", "cppn", "gradient"];

    /// <summary>The generations actually run by an evolutionary method.</summary>
    [JsonIgnore] public int EffectiveGenerations => Generations ?? (Method == FoolingMethod.Cppn ? 500 : 200);

    /// <summary>Parses "direct", "cppn" or "gradient".</summary>
    public static FoolingMethod ParseMethod(string name) => name.Trim().ToLowerInvariant() switch
    {
        "direct" => FoolingMethod.Direct,
        "cppn" => FoolingMethod.Cppn,
        "gradient" => FoolingMethod.Gradient,
        _ => throw new LabException($"unknown fooling method '{name}'; valid: {string.Join(", ", MethodNames)}"),
    };

    /// <summary>Throws a <see cref="LabException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Generations is { } g && g <= 0) throw new LabException($"generations must be > 0, got {g}");
        if (Population < 2) throw new LabException($"population must be >= 2, got {Population}");
        if (Steps <= 0) throw new LabException($"steps must be > 0, got {Steps}");
        if (Workers <= 0) throw new LabException($"workers must be > 0, got {Workers}");
        if (Thresholds.Count == 0 || Thresholds.Any(t => !(t > 0 && t < 1))) throw new LabException("thresholds must be in (0, 1)");
        if (!(MutationRate > 0 && MutationRate <= 1)) throw new LabException($"mutation rate must be in (0, 1], got {MutationRate}");
        if (MutationHalvingGenerations < 1) throw new LabException($"mutation halving period must be >= 1 generation, got {MutationHalvingGenerations}");
        if (!(MutationEta >= 0)) throw new LabException($"polynomial mutation eta must be >= 0, got {MutationEta}");
        if (!(CrossRate >= 0 && CrossRate <= 1)) throw new LabException($"cross rate must be in [0, 1], got {CrossRate}");
        if (!(CrossEta >= 0)) throw new LabException($"SBX eta must be >= 0, got {CrossEta}");
        Cppn.Validate();
        if (!(StepSize > 0)) throw new LabException($"step size must be > 0, got {StepSize}");
        if (!(L2Decay >= 0 && L2Decay < 1)) throw new LabException($"L2 decay must be in [0, 1), got {L2Decay}");
        if (BlurEvery < 0) throw new LabException($"blur period must be >= 0, got {BlurEvery}");
        if (BlurEvery > 0 && !(BlurSigma > 0)) throw new LabException($"blur sigma must be > 0, got {BlurSigma}");
        if (Jitter < 0) throw new LabException($"jitter must be >= 0 pixels, got {Jitter}");
        if (!(TargetConfidence > 0 && TargetConfidence < 1)) throw new LabException($"target confidence must be in (0, 1), got {TargetConfidence}");
        if (RubbishSamples < 0) throw new LabException($"rubbish samples must be >= 0, got {RubbishSamples}");
        if (!(RubbishThreshold > 0 && RubbishThreshold < 1)) throw new LabException($"rubbish threshold must be in (0, 1), got {RubbishThreshold}");
        if (ReferencePerClass < 1) throw new LabException($"reference images per class must be >= 1, got {ReferencePerClass}");
    }

    /// <summary>
    /// The class indices to search, in the order given (all classes when none are listed). Each entry is a class
    /// name (case-insensitive) or an index; anything else is an error that lists the model's classes.
    /// </summary>
    public int[] ResolveClasses(IReadOnlyList<string> classNames)
    {
        if (Classes is null || Classes.Count == 0) return Enumerable.Range(0, classNames.Count).ToArray();
        var result = new List<int>();
        foreach (var raw in Classes)
        {
            var entry = raw.Trim();
            int index = -1;
            for (int i = 0; i < classNames.Count; i++)
                if (string.Equals(classNames[i], entry, StringComparison.OrdinalIgnoreCase)) { index = i; break; }
            if (index < 0 && int.TryParse(entry, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
            {
                if (n < 0 || n >= classNames.Count)
                    throw new LabException($"class index {n} is not in the model: it has classes 0..{classNames.Count - 1} ({string.Join(", ", classNames)})");
                index = n;
            }
            if (index < 0)
                throw new LabException($"class '{entry}' is not in the model; its classes: {string.Join(", ", classNames.Select((c, i) => $"{i}={c}"))}");
            if (result.Contains(index)) throw new LabException($"class '{entry}' is listed twice");
            result.Add(index);
        }
        return result.ToArray();
    }
}
