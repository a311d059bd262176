using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Evaluation;

/// <summary>
/// One panel of the panda figure (Goodfellow 2014, fig. 1): the clean image with its label, prediction and
/// confidence; the direction added (sign of the gradient for FGSM); the adversarial image with its prediction and
/// confidence; epsilon. <see cref="Rounded8Bit"/> is the adversarial after rounding to 8-bit pixels, re-evaluated,
/// because saving as 8 bits can undo a small attack. Images are plain data for the reporting layer (not in JSON).
/// </summary>
public sealed record AdversarialPanel
{
    public required int Index { get; init; }
    public required string Attack { get; init; }
    public required double Eps { get; init; }
    public required string TrueLabel { get; init; }
    public required Prediction Clean { get; init; }
    public required Prediction Adversarial { get; init; }
    public required Prediction Rounded8Bit { get; init; }
    /// <summary>Prediction for the adversarial image as a 16-bit PNG stores it (the writer checks the file it writes holds exactly that image).</summary>
    public Prediction? Saved { get; init; }
    public required bool Success { get; init; }
    public required double Linf { get; init; }
    public required double L2 { get; init; }
    /// <summary>What the middle image shows, e.g. "sign(∇ₓJ(θ, x, y))".</summary>
    public required string DirectionLabel { get; init; }
    /// <summary>Files written for this panel (filled in by the writer).</summary>
    public IReadOnlyDictionary<string, string>? Files { get; init; }

    [JsonIgnore] public ImageData CleanImage { get; init; } = null!;
    /// <summary>The direction in [-1, 1] (sign of the gradient, or the perturbation divided by eps).</summary>
    [JsonIgnore] public ImageData DirectionImage { get; init; } = null!;
    [JsonIgnore] public ImageData AdversarialImage { get; init; } = null!;
}
