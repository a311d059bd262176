using System.ComponentModel;
using System.Text.Json.Serialization;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;

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
    [JsonPropertyName("steps"), Description("optimiser steps (the library's: 512)")] public int? Steps { get; init; }
    [JsonPropertyName("lr"), Description("Adam learning rate (the library's: 0.05)")] public double? LearningRate { get; init; }
    [JsonPropertyName("param"), Description("fourier (the library's) or pixel")] public string? Param { get; init; }
    [JsonPropertyName("decorrelate"), Description("decorrelated colour (the library's: true; no effect on greyscale)")] public bool? Decorrelate { get; init; }
    [JsonPropertyName("transforms"), Description("standard (Lucid's pad/jitter/scale/rotate, the library's) or none")] public string? Transforms { get; init; }
    [JsonPropertyName("options"), Description("further settings (numbers): seeds, l2, tv, blur_every, blur_sigma, image_size (as lab visualize's --seeds, --l2, ...)")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    /// <summary>Settings <c>options</c> may give.</summary>
    public static readonly IReadOnlyList<string> OptionKeys = ["seeds", "l2", "tv", "blur_every", "blur_sigma", "image_size"];

    public void Validate(ConfigValidator v)
    {
        v.RequireModels();
        v.ModelRefs("models", Models);
        v.ClassNamesOrIndices("classes", Classes);
        if (Steps is { } st) v.Positive("steps", st);
        if (LearningRate is { } lr) v.Positive("lr", lr);
        if (Param is not null) v.OneOf("param", Param, Parametrisations);
        if (Transforms is not null) v.OneOf("transforms", Transforms, TransformSets);
        foreach (var k in (Options ?? new Dictionary<string, double>()).Keys.Where(k => !OptionKeys.Contains(k)))
            v.Within("options", () => v.Error(k, $"unknown visualize setting '{k}'{DidYouMean.HintAndList(k, OptionKeys.ToList())}"));
        if (Units is not null)
            for (int i = 0; i < Units.Count; i++)
            {
                var parts = Units[i].Split(':');
                if (parts.Length != 2 || parts[0].Length == 0 || !int.TryParse(parts[1], out var ch) || ch < 0)
                    v.Error($"units[{i}]", $"'{Units[i]}' is not 'layer:channel' (e.g. net.4:3)");
            }
    }

    /// <summary>
    /// The library's options: <see cref="VisualizeOptions"/>' and <see cref="VisualizationOptions"/>' defaults, overridden
    /// by each key given (what <c>lab visualize</c>'s flags do). Classes and units become objectives; none: every class.
    /// </summary>
    public VisualizeOptions ToOptions(int seed)
    {
        var d = new VisualizeOptions();
        var o = d.Optimization;
        var extra = Options ?? new Dictionary<string, double>();
        int Whole(string key, int fallback)
        {
            if (!extra.TryGetValue(key, out var v)) return fallback;
            if (v != Math.Floor(v)) throw new LabException($"visualize.options.{key} must be a whole number, got {v}");
            return (int)v;
        }
        var objectives = (Classes ?? []).Concat((Units ?? []).Select(u => "channel:" + u)).ToList();
        return d with
        {
            Objectives = objectives.Count == 0 ? null : objectives,
            Images = Whole("seeds", d.Images),
            Seed = seed,
            Optimization = o with
            {
                Steps = Steps ?? o.Steps,
                LearningRate = LearningRate ?? o.LearningRate,
                Parameterization = Param is null ? o.Parameterization : Param == "pixel" ? ParameterizationKind.Pixels : ParameterizationKind.Fourier,
                Decorrelate = Decorrelate ?? o.Decorrelate,
                Transforms = Transforms ?? o.Transforms,
                L2Weight = extra.GetValueOrDefault("l2", o.L2Weight),
                TvWeight = extra.GetValueOrDefault("tv", o.TvWeight),
                BlurEvery = Whole("blur_every", o.BlurEvery),
                BlurSigma = extra.GetValueOrDefault("blur_sigma", o.BlurSigma),
                ImageSize = Whole("image_size", o.ImageSize),
            },
        };
    }
}
