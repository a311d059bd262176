using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// One entry of <c>figures:</c>: a panda-style panel (Goodfellow, Shlens, Szegedy 2014, arXiv:1412.6572, figure 1):
/// clean image and prediction, + eps x the attack's perturbation, = the adversarial image and its prediction.
/// </summary>
public sealed record FigureSection : IConfigSection
{
    public static readonly IReadOnlyList<string> Kinds = ["panel"];

    [JsonPropertyName("kind"), Description("panel (clean + eps * perturbation = adversarial)")] public string Kind { get; init; } = "panel";
    [Required, JsonPropertyName("model"), Description("model id")] public string Model { get; init; } = "";
    [JsonPropertyName("attack"), Description("attack making the perturbation (the library's: fgsm)")] public string? Attack { get; init; }
    [JsonPropertyName("eps"), Description("budget in [0,1] pixel units (the library's: 0.1)")] public double? Eps { get; init; }
    [JsonPropertyName("samples"), Description("number of panels (the library's: 1), taken from the first correctly classified test rows")] public int? Samples { get; init; }
    [JsonPropertyName("indices"), Description("explicit test-set rows instead of 'samples'")] public IReadOnlyList<int>? Indices { get; init; }
    [JsonPropertyName("class"), Description("only rows of this class (a class name)")] public string? Class { get; init; }
    [JsonPropertyName("title"), Description("caption title")] public string? Title { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.OneOf("kind", Kind, Kinds);
        v.RequireModels();
        v.ModelRef("model", Model);
        if (Attack is not null) v.OneOf("attack", Attack, AttackSection.KnownAttacks);
        if (Attack is not null && AttackSection.MinimalAttacks.Contains(Attack))
            v.Error("attack", $"'{Attack}' finds a minimal perturbation; a panel needs a fixed-budget attack such as fgsm or pgd");
        if (Eps is { } e) v.Range("eps", e, 0, 1);
        if (Samples is { } n) v.Positive("samples", n);
        v.ClassName("class", Class);
        if (Indices is not null)
        {
            if (v.Given("samples")) v.Error("indices", "conflicting options: give 'indices' or 'samples', not both");
            if (v.Given("class")) v.Error("indices", "conflicting options: give 'indices' or 'class', not both");
            for (int i = 0; i < Indices.Count; i++) v.NonNegative($"indices[{i}]", Indices[i]);
        }
    }

    /// <summary>The library's options: <see cref="FigureOptions"/>' defaults, overridden by each key given (what <c>lab attack</c>'s flags do).</summary>
    public FigureOptions ToOptions(int seed)
    {
        var d = new FigureOptions();
        return d with
        {
            Attack = Attack is null ? d.Attack : new AttackSpec(Attack),
            Eps = Eps ?? d.Eps,
            Examples = Indices?.Count ?? Samples ?? d.Examples,
            Rows = Indices,
            Class = Class,
            Seed = seed,
        };
    }
}
