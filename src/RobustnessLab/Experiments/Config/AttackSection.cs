using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// One entry of <c>attacks:</c>: an attack run against each listed model at every epsilon of its grid, in [0,1] pixel
/// units. Fixed-budget attacks run once per epsilon (Foolbox's success matrix [eps x samples]); minimal-perturbation
/// attacks (DeepFool, CW, FAB) run once and their perturbation norms are read off at each epsilon.
/// </summary>
public sealed record AttackSection : IConfigSection
{
    /// <summary>
    /// Attack names of the attacks library (issue 3): torchattacks' spelling, with AutoAttack's APGD-CE / APGD-T / FAB-T
    /// (Croce and Hein 2020, arXiv:2003.01690) and the ensemble itself.
    /// </summary>
    public static readonly IReadOnlyList<string> KnownAttacks =
        ["fgsm", "pgd", "bim", "mifgsm", "apgd-ce", "apgd-t", "fab-t", "square", "deepfool", "cw", "autoattack"];

    /// <summary>Attacks that find a minimal perturbation instead of using a budget.</summary>
    public static readonly IReadOnlyList<string> MinimalAttacks = ["deepfool", "cw", "fab-t"];

    public static readonly IReadOnlyList<string> Norms = ["linf", "l2"];

    [Required, JsonPropertyName("attack"), Description("fgsm, pgd, bim, mifgsm, apgd-ce, apgd-t, fab-t, square, deepfool, cw or autoattack")]
    public string Attack { get; init; } = "";

    [Required, JsonPropertyName("eps"), Description("epsilon grid in [0,1] pixel units, e.g. [0, 0.05, 0.1]")]
    public IReadOnlyList<double> Eps { get; init; } = [];

    [JsonPropertyName("norm"), Description("linf (default) or l2")] public string Norm { get; init; } = "linf";
    [JsonPropertyName("steps"), Description("iterations (iterative attacks; the attack's default when absent)")] public int? Steps { get; init; }
    [JsonPropertyName("step_size"), Description("step size in pixel units (default: the attack's, e.g. 2.5 eps / steps for PGD)")] public double? StepSize { get; init; }
    [JsonPropertyName("restarts"), Description("random restarts (per-sample worst case is kept)")] public int? Restarts { get; init; }
    [JsonPropertyName("random_start"), Description("start from a random point of the eps ball")] public bool? RandomStart { get; init; }
    [JsonPropertyName("queries"), Description("query budget (square)")] public int? Queries { get; init; }
    [JsonPropertyName("targeted"), Description("targeted attack (success: prediction == target)")] public bool Targeted { get; init; }
    [JsonPropertyName("models"), Description("model ids to attack (default: all)")] public IReadOnlyList<string>? Models { get; init; }
    [JsonPropertyName("samples"), Description("first N test rows (1000)")] public int Samples { get; init; } = 1000;
    [JsonPropertyName("batch_size"), Description("attack batch size (250)")] public int BatchSize { get; init; } = 250;
    [JsonPropertyName("options"), Description("further attack-specific settings (numbers)")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.OneOf("attack", Attack, KnownAttacks);
        v.OneOf("norm", Norm, Norms);
        if (Eps.Count == 0) v.Error("eps", "needs at least one epsilon");
        for (int i = 0; i < Eps.Count; i++)
        {
            if (Norm == "linf") v.Range($"eps[{i}]", Eps[i], 0, 1);
            else v.NonNegative($"eps[{i}]", Eps[i]);
        }
        if (Eps.Distinct().Count() != Eps.Count) v.Error("eps", "lists an epsilon twice");
        if (Steps is { } s) v.Positive("steps", s);
        if (StepSize is { } ss) v.Positive("step_size", ss);
        if (Restarts is { } r) v.Positive("restarts", r);
        if (Queries is { } q) v.Positive("queries", q);
        v.Positive("samples", Samples);
        v.Positive("batch_size", BatchSize);
        v.RequireModels();
        v.ModelRefs("models", Models);
        if (Attack == "fgsm")
        {
            foreach (var k in new[] { "steps", "restarts", "step_size" }.Where(v.Given))
                v.Error(k, $"conflicting options: fgsm is a single step of size eps; use 'pgd' or 'bim' for '{k}'");
        }
        if (Queries is not null && Attack != "square") v.Error("queries", $"only the black-box 'square' attack takes a query budget, not '{Attack}'");
        if (Targeted && Attack is "deepfool" or "apgd-ce")
            v.Error("targeted", $"'{Attack}' is untargeted{(Attack == "apgd-ce" ? "; use apgd-t" : "")}");
    }
}
