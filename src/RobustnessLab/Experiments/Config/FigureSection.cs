using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

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
    [JsonPropertyName("attack"), Description("attack making the perturbation (fgsm)")] public string Attack { get; init; } = "fgsm";
    [JsonPropertyName("eps"), Description("budget in [0,1] pixel units (0.1)")] public double Eps { get; init; } = 0.1;
    [JsonPropertyName("samples"), Description("number of panels (3), taken from the first correctly classified test rows")] public int Samples { get; init; } = 3;
    [JsonPropertyName("indices"), Description("explicit test-set rows instead of 'samples'")] public IReadOnlyList<int>? Indices { get; init; }
    [JsonPropertyName("class"), Description("only rows of this class (a class name)")] public string? Class { get; init; }
    [JsonPropertyName("title"), Description("caption title")] public string? Title { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.OneOf("kind", Kind, Kinds);
        v.RequireModels();
        v.ModelRef("model", Model);
        v.OneOf("attack", Attack, AttackSection.KnownAttacks);
        if (AttackSection.MinimalAttacks.Contains(Attack))
            v.Error("attack", $"'{Attack}' finds a minimal perturbation; a panel needs a fixed-budget attack such as fgsm or pgd");
        v.Range("eps", Eps, 0, 1);
        v.Positive("samples", Samples);
        v.ClassName("class", Class);
        if (Indices is not null)
        {
            if (v.Given("samples")) v.Error("indices", "conflicting options: give 'indices' or 'samples', not both");
            if (v.Given("class")) v.Error("indices", "conflicting options: give 'indices' or 'class', not both");
            for (int i = 0; i < Indices.Count; i++) v.NonNegative($"indices[{i}]", Indices[i]);
        }
    }
}
