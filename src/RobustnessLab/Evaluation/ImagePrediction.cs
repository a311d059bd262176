using System.Text.Json.Serialization;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Evaluation;

/// <summary>What to predict: one image file, through the model's recorded preprocessing.</summary>
public sealed record PredictOptions
{
    public required string ImagePath { get; init; }
    /// <summary>How many classes to list, most probable first.</summary>
    public int Top { get; init; } = 5;

    public void Validate()
    {
        if (Top < 1) throw new LabException($"top must be >= 1, got {Top}");
    }
}

public sealed record ClassProbability(
    [property: JsonPropertyName("class")] string Class,
    [property: JsonPropertyName("probability")] double Probability);

/// <summary>A prediction: logits and probabilities in class order, and the top classes.</summary>
public sealed record PredictResult
{
    [JsonPropertyName("image")] public required string Image { get; init; }
    [JsonPropertyName("classes")] public required IReadOnlyList<string> Classes { get; init; }
    [JsonPropertyName("logits")] public required float[] Logits { get; init; }
    [JsonPropertyName("probabilities")] public required float[] Probabilities { get; init; }
    [JsonPropertyName("top")] public required IReadOnlyList<ClassProbability> Top { get; init; }
}

/// <summary>Classifies one image file of any size with a checkpoint's model (<c>lab predict</c>).</summary>
public static class ImagePrediction
{
    /// <summary>The image as the model sees it (C x H x W in [0,1]) after the preprocessing in model.json.</summary>
    public static ImageData LoadImage(Classifier model, string path, PreprocessInfo? preprocess) =>
        ImageFile.Load(path, model.Spec.Channels, model.Spec.Height, model.Spec.Width, preprocess ?? PreprocessInfo.Default);

    public static PredictResult Run(Classifier model, PreprocessInfo? preprocess, PredictOptions options)
    {
        options.Validate();
        // The forward pass is checked like an evaluation's (oneDNN gave one architecture wrong logits here).
        InputGradientCheck.Ensure(model);
        var image = LoadImage(model, options.ImagePath, preprocess);
        using var scope = NewDisposeScope();
        var logits = model.Predict(image.ToTensor(model.Device))[0];
        var probs = logits.softmax(0);
        var l = logits.cpu().data<float>().ToArray();
        var p = probs.cpu().data<float>().ToArray();
        var top = Enumerable.Range(0, p.Length).OrderByDescending(i => p[i]).ThenBy(i => i).Take(options.Top)
            .Select(i => new ClassProbability(model.ClassNames[i], p[i])).ToList();
        return new PredictResult { Image = options.ImagePath, Classes = model.ClassNames, Logits = l, Probabilities = p, Top = top };
    }
}
