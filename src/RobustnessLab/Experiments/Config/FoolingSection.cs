using System.ComponentModel;
using System.Text.Json.Serialization;
using RobustnessLab.Core;
using RobustnessLab.Fooling;

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

    /// <summary>The typed keys of the section (and the run's seed and workers); <c>options</c> takes every other numeric setting of <see cref="FoolingOptions"/>.</summary>
    private static readonly string[] TypedSettings = ["seed", "generations", "population", "steps", "target_confidence", "workers"];

    /// <summary>The settings <c>options</c> may set, by their fooling.json names (nested CPPN settings as <c>cppn_add_node</c>, ...).</summary>
    public static IReadOnlyList<string> OptionKeys { get; } = NumericSettings.Names<FoolingOptions>(TypedSettings);

    [JsonPropertyName("models"), Description("model ids to fool (default: all)")] public IReadOnlyList<string>? Models { get; init; }
    [JsonPropertyName("method"), Description("evolutionary (default) or gradient")] public string Method { get; init; } = "evolutionary";
    [JsonPropertyName("encoding"), Description("direct (every pixel a gene) or cppn (evolutionary only)")] public string Encoding { get; init; } = "direct";
    [JsonPropertyName("generations"), Description("generations of the evolutionary search (the library's: 200 direct, 500 cppn)")] public int? Generations { get; init; }
    [JsonPropertyName("population"), Description("children per generation (the library's: 200)")] public int? Population { get; init; }
    [JsonPropertyName("steps"), Description("gradient-ascent steps (the library's: 300)")] public int? Steps { get; init; }
    [JsonPropertyName("classes"), Description("class names to target (default: all)")] public IReadOnlyList<string>? Classes { get; init; }
    [JsonPropertyName("target_confidence"), Description("gradient ascent: an image stops once its confidence reaches this (the library's: 0.9999)")] public double? TargetConfidence { get; init; }
    [JsonPropertyName("transfer"), Description("also score every image on the other models (true)")] public bool Transfer { get; init; } = true;
    [JsonPropertyName("options"), Description("further numeric settings by their fooling.json names, e.g. {mutation_rate: 0.05, rubbish_samples: 200}")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.RequireModels();
        v.ModelRefs("models", Models);
        v.OneOf("method", Method, Methods);
        v.OneOf("encoding", Encoding, Encodings);
        if (Generations is { } g) v.Positive("generations", g);
        if (Population is { } p) v.Positive("population", p);
        if (Steps is { } st) v.Positive("steps", st);
        if (TargetConfidence is { } t) v.Range("target_confidence", t, 0, 1);
        if (Method == "gradient")
            foreach (var k in new[] { "encoding", "generations", "population" }.Where(v.Given))
                v.Error(k, $"conflicting options: '{k}' belongs to the evolutionary method, but method is gradient");
        if (Method == "evolutionary")
            foreach (var k in new[] { "steps", "target_confidence" }.Where(v.Given))
                v.Error(k, $"conflicting options: '{k}' belongs to the gradient method; the evolutionary one counts 'generations' and records when each class crosses 0.99, 0.999 and 0.9999");
        if (Classes is not null && Classes.Distinct().Count() != Classes.Count) v.Error("classes", "lists a class twice");
        v.ClassNamesOrIndices("classes", Classes);
        foreach (var k in (Options ?? new Dictionary<string, double>()).Keys.Where(k => !OptionKeys.Contains(k)))
            v.Within("options", () => v.Error(k, $"unknown fooling setting '{k}'{DidYouMean.HintAndList(k, OptionKeys.ToList())}"));
    }

    /// <summary>The fooling method the section names.</summary>
    [JsonIgnore]
    public FoolingMethod FoolingMethod => Method == "gradient" ? FoolingMethod.Gradient : Encoding == "cppn" ? FoolingMethod.Cppn : FoolingMethod.Direct;

    /// <summary>
    /// The library's options: <see cref="FoolingOptions"/>' defaults, overridden by each typed key given, then by
    /// <c>options</c> (what <c>lab fool</c>'s flags do for the same settings). Workers are the run's (<c>lab run --workers</c>);
    /// null keeps the library's. Validated.
    /// </summary>
    public FoolingOptions ToOptions(int seed, int? workers = null)
    {
        var d = new FoolingOptions();
        var o = d with
        {
            Workers = workers ?? d.Workers,
            Method = FoolingMethod,
            Generations = Generations,
            Population = Population ?? d.Population,
            Steps = Steps ?? d.Steps,
            Seed = seed,
            Classes = Classes,
            TargetConfidence = TargetConfidence ?? d.TargetConfidence,
        };
        o = NumericSettings.Apply(o, Options, "fooling", TypedSettings);
        o.Validate();
        return o;
    }
}
