using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using RobustnessLab.Attacks;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// One entry of <c>attacks:</c>: an attack run against each listed model at every epsilon of its grid, in [0,1] pixel
/// units. Fixed-budget attacks run once per epsilon (Foolbox's success matrix [eps x samples]); minimal-perturbation
/// attacks (DeepFool, CW, FAB) run once and their perturbation norms are read off at each epsilon.
/// </summary>
public sealed record AttackSection : IConfigSection
{
    /// <summary>
    /// Attack names as the attacks library's <see cref="AttackRegistry"/> spells them, without a norm suffix: the
    /// <c>norm</c> key picks the variant (pgd + l2 is the registry's pgd-l2, deepfool + linf its deepfool-linf).
    /// "autoattack" is AutoAttack's standard version (APGD-CE, APGD-T, FAB-T, Square; Croce and Hein 2020,
    /// arXiv:2003.01690); "ensemble" the same set minus FAB-T.
    /// </summary>
    public static IReadOnlyList<string> KnownAttacks { get; } =
        AttackRegistry.Names.Select(BaseName).Distinct().OrderBy(n => n, StringComparer.Ordinal).ToList();

    /// <summary>Attacks that find a minimal perturbation instead of using a budget.</summary>
    public static readonly IReadOnlyList<string> MinimalAttacks = ["deepfool", "cw", "fab-t"];

    public static readonly IReadOnlyList<string> Norms = ["linf", "l2"];

    [Required, JsonPropertyName("attack"), Description("fgsm, bim, pgd, mi-fgsm, apgd-ce, apgd-t, square, deepfool, cw, fab-t, autoattack or ensemble")]
    public string Attack { get; init; } = "";

    [Required, JsonPropertyName("eps"), Description("epsilon grid in [0,1] pixel units, e.g. [0, 0.05, 0.1]")]
    public IReadOnlyList<double> Eps { get; init; } = [];

    [JsonPropertyName("norm"), Description("linf or l2 (default: the attack's own: l2 for deepfool and cw, linf otherwise)")] public string? Norm { get; init; }
    [JsonPropertyName("steps"), Description("iterations (iterative attacks; the attack's default when absent)")] public int? Steps { get; init; }
    [JsonPropertyName("step_size"), Description("step size in pixel units (default: the attack's, e.g. 2.5 eps / steps for PGD)")] public double? StepSize { get; init; }
    [JsonPropertyName("restarts"), Description("random restarts (per-sample worst case is kept)")] public int? Restarts { get; init; }
    [JsonPropertyName("random_start"), Description("start from a random point of the eps ball")] public bool? RandomStart { get; init; }
    [JsonPropertyName("queries"), Description("query budget (square, and the square member of autoattack and ensemble)")] public int? Queries { get; init; }
    [JsonPropertyName("targeted"), Description("targeted attack (success: prediction == target)")] public bool Targeted { get; init; }
    [JsonPropertyName("models"), Description("model ids to attack (default: all)")] public IReadOnlyList<string>? Models { get; init; }
    [JsonPropertyName("samples"), Description("first N test rows (1000)")] public int Samples { get; init; } = 1000;
    [JsonPropertyName("batch_size"), Description("attack batch size (250)")] public int BatchSize { get; init; } = 250;
    [JsonPropertyName("mode"), Description("early-stop (each sample stops at its first adversarial iterate; robust accuracy as in max-loss) or max-loss (every sample runs every step)")]
    public string Mode { get; init; } = Attacks.AttackModes.EarlyStopName;
    [JsonPropertyName("options"), Description("further attack-specific settings (numbers)")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.OneOf("attack", Attack, KnownAttacks);
        v.OneOf("norm", Norm, Norms);
        if (KnownAttacks.Contains(Attack) && (Norm is null || Norms.Contains(Norm)) && RegistryName is null)
            v.Error("norm", $"'{Attack}' has no {Norm} variant; its norms: {string.Join(", ", AttackRegistry.Names.Where(n => BaseName(n) == Attack).Select(n => AttackRegistry.Get(n).Norm))}");
        v.OneOf("mode", Mode, [Attacks.AttackModes.EarlyStopName, Attacks.AttackModes.MaximizeLossName]);
        if (Eps.Count == 0) v.Error("eps", "needs at least one epsilon");
        for (int i = 0; i < Eps.Count; i++)
        {
            if (EffectiveNorm == "linf") v.Range($"eps[{i}]", Eps[i], 0, 1);
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
        if (Queries is not null && Attack is not ("square" or "autoattack" or "ensemble"))
            v.Error("queries", $"only the black-box 'square' attack (and the ensembles holding it) takes a query budget, not '{Attack}'");
        if (RegistryName is { } registered)
        {
            try { AttackRegistry.Create(registered, RegistryArgs()); }
            catch (Core.LabException ex) { v.Error(Options is null ? "attack" : "options", ex.Message); }
        }
        if (Targeted && RegistryName is { } name && !AttackRegistry.Create(name).SupportsTargeted)
            v.Error("targeted", $"'{Attack}' is untargeted{(Attack == "apgd-ce" ? "; use apgd-t" : "")}");
    }

    /// <summary>The norm the attack runs in: the given one, else the attack's own.</summary>
    [JsonIgnore]
    public string EffectiveNorm => Norm ?? (AttackRegistry.Names.Contains(Attack) ? AttackRegistry.Get(Attack).Norm : "linf");

    /// <summary>The registry entry of this attack in its norm (null when there is none).</summary>
    [JsonIgnore]
    public string? RegistryName =>
        AttackRegistry.Names.FirstOrDefault(n => BaseName(n) == Attack && AttackRegistry.Get(n).Norm == EffectiveNorm);

    /// <summary>The attack's settings for the registry: the section's typed keys, then <c>options</c> verbatim.</summary>
    public Dictionary<string, double> RegistryArgs()
    {
        var args = new Dictionary<string, double>(StringComparer.Ordinal);
        if (Steps is { } s) args["steps"] = s;
        // step_size is in pixel units here; the registry's step_size is relative to eps and 'alpha' is absolute.
        if (StepSize is { } a) args["alpha"] = a;
        if (Restarts is { } r) args["restarts"] = r;
        if (RandomStart is { } rs) args["random_start"] = rs ? 1 : 0;
        if (Queries is { } q) args["queries"] = q;
        foreach (var (k, val) in Options ?? new Dictionary<string, double>()) args[k] = val;
        return args;
    }

    /// <summary>"pgd-l2" -> "pgd": the registry's name without its norm suffix.</summary>
    private static string BaseName(string registryName) =>
        registryName.EndsWith("-l2", StringComparison.Ordinal) || registryName.EndsWith("-linf", StringComparison.Ordinal)
            ? registryName[..registryName.LastIndexOf('-')]
            : registryName;
}
