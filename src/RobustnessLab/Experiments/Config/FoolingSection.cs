using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// <c>fooling:</c> images unrecognisable to people that a model labels with high confidence (Nguyen, Yosinski,
/// Clune 2015, arXiv:1412.1897): evolutionary search (direct or CPPN encoding, MAP-Elites with one cell per class) or
/// gradient ascent on a class logit, then transfer to the other models.
/// </summary>
public sealed record FoolingSection : IConfigSection
{
    public static readonly IReadOnlyList<string> Methods = ["evolutionary", "gradient"];
    public static readonly IReadOnlyList<string> Encodings = ["direct", "cppn"];

    [JsonPropertyName("models"), Description("model ids to fool (default: all)")] public IReadOnlyList<string>? Models { get; init; }
    [JsonPropertyName("method"), Description("evolutionary (default) or gradient")] public string Method { get; init; } = "evolutionary";
    [JsonPropertyName("encoding"), Description("direct (every pixel a gene) or cppn (evolutionary only)")] public string Encoding { get; init; } = "direct";
    [JsonPropertyName("generations"), Description("generations of the evolutionary search (200)")] public int Generations { get; init; } = 200;
    [JsonPropertyName("population"), Description("population size (200)")] public int Population { get; init; } = 200;
    [JsonPropertyName("steps"), Description("gradient-ascent steps (200)")] public int Steps { get; init; } = 200;
    [JsonPropertyName("classes"), Description("class names to target (default: all)")] public IReadOnlyList<string>? Classes { get; init; }
    [JsonPropertyName("target_confidence"), Description("confidence counted as fooled (0.99)")] public double TargetConfidence { get; init; } = 0.99;
    [JsonPropertyName("transfer"), Description("also score every image on the other models (true)")] public bool Transfer { get; init; } = true;
    [JsonPropertyName("options"), Description("further method-specific settings (numbers)")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.RequireModels();
        v.ModelRefs("models", Models);
        v.OneOf("method", Method, Methods);
        v.OneOf("encoding", Encoding, Encodings);
        v.Positive("generations", Generations);
        v.Positive("population", Population);
        v.Positive("steps", Steps);
        v.Range("target_confidence", TargetConfidence, 0, 1);
        if (Method == "gradient")
            foreach (var k in new[] { "encoding", "generations", "population" }.Where(v.Given))
                v.Error(k, $"conflicting options: '{k}' belongs to the evolutionary method, but method is gradient");
        if (Method == "evolutionary" && v.Given("steps"))
            v.Error("steps", "conflicting options: 'steps' belongs to the gradient method; the evolutionary one counts 'generations'");
        if (Classes is not null && Classes.Distinct().Count() != Classes.Count) v.Error("classes", "lists a class twice");
    }
}
