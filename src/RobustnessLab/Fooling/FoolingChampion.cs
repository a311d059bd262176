using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Fooling;

/// <summary>
/// The most confident image found for one class. <see cref="Image"/> holds the exact float pixels that were scored
/// (kept out of JSON; writers save it as PNG).
/// </summary>
public sealed record FoolingChampion
{
    public required int ClassIndex { get; init; }
    public required string ClassName { get; init; }
    /// <summary>Softmax probability of the class.</summary>
    public required double Confidence { get; init; }
    /// <summary>log(p / (1 - p)), unsaturated.</summary>
    public required double LogOdds { get; init; }
    /// <summary>Generation (or step) at which this champion was found.</summary>
    public required int FoundAt { get; init; }
    /// <summary>Seconds since the start at which this champion was found.</summary>
    public required double FoundAtSeconds { get; init; }
    /// <summary>First generation/step and second at which each threshold was reached.</summary>
    public required IReadOnlyList<ThresholdCrossing> Crossings { get; init; }
    /// <summary>A short description of the genome (CPPN size), if any.</summary>
    public string? Genome { get; init; }
    [JsonIgnore] public ImageData Image { get; init; } = new(0, 0, 0, []);

    /// <summary>The crossing of a threshold (null if the threshold was not tracked).</summary>
    public ThresholdCrossing? Crossing(double threshold) => Crossings.FirstOrDefault(c => Math.Abs(c.Threshold - threshold) < 1e-12);
}
