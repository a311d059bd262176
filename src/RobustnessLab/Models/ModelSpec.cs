using System.Text.Json.Serialization;

namespace RobustnessLab.Models;

/// <summary>
/// What a model is: architecture name and its arguments, input shape, classes and the input normalisation that
/// lives inside the model (so attacks work in [0,1] pixel space).
/// </summary>
public sealed record ModelSpec
{
    [JsonPropertyName("architecture")] public required string Architecture { get; init; }
    [JsonPropertyName("args")] public IReadOnlyDictionary<string, double> Args { get; init; } = new Dictionary<string, double>();
    [JsonPropertyName("input_shape")] public required int[] InputShape { get; init; }
    [JsonPropertyName("class_names")] public required IReadOnlyList<string> ClassNames { get; init; }
    [JsonPropertyName("mean")] public required float[] Mean { get; init; }
    [JsonPropertyName("std")] public required float[] Std { get; init; }

    [JsonIgnore] public int Channels => InputShape[0];
    [JsonIgnore] public int Height => InputShape[1];
    [JsonIgnore] public int Width => InputShape[2];
    [JsonIgnore] public int NumClasses => ClassNames.Count;

    public double Arg(string name, double fallback) => Args.TryGetValue(name, out var v) ? v : fallback;
    public int IntArg(string name, int fallback) => (int)Math.Round(Arg(name, fallback));
}
