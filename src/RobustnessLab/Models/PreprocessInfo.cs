using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Models;

/// <summary>
/// How an image file of any size becomes the model's input, recorded in model.json:
/// "torchvision" resizes the shorter side to <see cref="Resize"/> (bilinear) and crops the centre to the input size,
/// as torchvision's evaluation transform (Resize(256), CenterCrop(224)); "resize" stretches the image to the input
/// size; "none" takes images that already have the input size and refuses others.
/// </summary>
public sealed record PreprocessInfo(
    [property: JsonPropertyName("mode")] string Mode,
    [property: JsonPropertyName("resize")] int? Resize = null)
{
    public static readonly IReadOnlyList<string> Modes = ["torchvision", "resize", "none"];

    public static PreprocessInfo Default => new("resize");

    /// <summary>torchvision's evaluation transform for an input of <paramref name="size"/> px: shorter side to size * 256/224.</summary>
    public static PreprocessInfo Torchvision(int size) => new("torchvision", (int)Math.Round(size * 256.0 / 224.0));

    public static PreprocessInfo Parse(string mode, int inputSize) => mode.ToLowerInvariant() switch
    {
        "torchvision" => Torchvision(inputSize),
        "resize" => new("resize"),
        "none" => new("none"),
        _ => throw new LabException($"unknown preprocessing '{mode}'; valid: {string.Join(", ", Modes)}"),
    };
}
