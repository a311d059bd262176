using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// <c>visualize:</c> feature visualisation by optimisation (Olah, Mordvintsev, Schubert 2017, Distill): class logits or
/// channels, with Lucid's transformation robustness and a decorrelated Fourier parametrisation by default.
/// </summary>
public sealed record VisualizeSection : IConfigSection
{
    public static readonly IReadOnlyList<string> Parametrisations = ["fourier", "pixel"];
    public static readonly IReadOnlyList<string> TransformSets = ["standard", "none"];

    [JsonPropertyName("models"), Description("model ids (default: all)")] public IReadOnlyList<string>? Models { get; init; }
    [JsonPropertyName("classes"), Description("class names whose logit is maximised (default: all)")] public IReadOnlyList<string>? Classes { get; init; }
    [JsonPropertyName("units"), Description("channels as 'layer:channel', e.g. net.4:3")] public IReadOnlyList<string>? Units { get; init; }
    [JsonPropertyName("steps"), Description("optimiser steps (512)")] public int Steps { get; init; } = 512;
    [JsonPropertyName("lr"), Description("Adam learning rate (0.05)")] public double LearningRate { get; init; } = 0.05;
    [JsonPropertyName("param"), Description("fourier (default) or pixel")] public string Param { get; init; } = "fourier";
    [JsonPropertyName("decorrelate"), Description("decorrelated colour (true; no effect on greyscale)")] public bool Decorrelate { get; init; } = true;
    [JsonPropertyName("transforms"), Description("standard (Lucid's pad/jitter/scale/rotate) or none")] public string Transforms { get; init; } = "standard";
    [JsonPropertyName("options"), Description("further settings (numbers), e.g. l2, tv")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.RequireModels();
        v.ModelRefs("models", Models);
        v.Positive("steps", Steps);
        v.Positive("lr", LearningRate);
        v.OneOf("param", Param, Parametrisations);
        v.OneOf("transforms", Transforms, TransformSets);
        if (Units is not null)
            for (int i = 0; i < Units.Count; i++)
            {
                var parts = Units[i].Split(':');
                if (parts.Length != 2 || parts[0].Length == 0 || !int.TryParse(parts[1], out var ch) || ch < 0)
                    v.Error($"units[{i}]", $"'{Units[i]}' is not 'layer:channel' (e.g. net.4:3)");
            }
    }
}
