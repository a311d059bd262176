using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using RobustnessLab.Attacks;
using RobustnessLab.Evaluation;

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
    [JsonPropertyName("step_size"), Description("step size as a fraction of eps, in (0, 1] (default: the attack's, e.g. 0.125 for 20-step PGD); the same as --arg step_size")] public double? StepSize { get; init; }
    [JsonPropertyName("alpha"), Description("absolute step size in pixel units; overrides step_size")] public double? Alpha { get; init; }
    [JsonPropertyName("restarts"), Description("random restarts (per-sample worst case is kept)")] public int? Restarts { get; init; }
    [JsonPropertyName("random_start"), Description("start from a random point of the eps ball")] public bool? RandomStart { get; init; }
    [JsonPropertyName("queries"), Description("query budget (square, and the square member of autoattack and ensemble)")] public int? Queries { get; init; }
    [JsonPropertyName("targeted"), Description("targeted attack (success: prediction == target)")] public bool Targeted { get; init; }
    [JsonPropertyName("models"), Description("model ids to attack (default: all)")] public IReadOnlyList<string>? Models { get; init; }
    [JsonPropertyName("samples"), Description("first N test rows (the library's: 1000)")] public int? Samples { get; init; }
    [JsonPropertyName("batch_size"), Description("attack batch size (the library's: 250)")] public int? BatchSize { get; init; }
    [JsonPropertyName("mode"), Description("early-stop (the library's: each sample stops at its first adversarial iterate; robust accuracy as in max-loss) or max-loss (every sample runs every step)")]
    public string? Mode { get; init; }
    [JsonPropertyName("independent_eps"), Description("attack every epsilon on every sample (the library's: false, a sample broken at a smaller epsilon keeps that example at the larger ones)")]
    public bool? IndependentEps { get; init; }
    [JsonPropertyName("options"), Description("further attack-specific settings (numbers)")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.OneOf("attack", Attack, KnownAttacks);
        v.OneOf("norm", Norm, Norms);
        if (KnownAttacks.Contains(Attack) && (Norm is null || Norms.Contains(Norm)) && RegistryName is null)
            v.Error("norm", $"'{Attack}' has no {Norm} variant; its norms: {string.Join(", ", AttackRegistry.Names.Where(n => BaseName(n) == Attack).Select(n => AttackRegistry.Get(n).Norm))}");
        v.OneOf("mode", Mode, [AttackModes.EarlyStopName, AttackModes.MaximizeLossName]);
        if (Eps.Count == 0) v.Error("eps", "needs at least one epsilon");
        for (int i = 0; i < Eps.Count; i++)
        {
            if (EffectiveNorm == "linf") v.Range($"eps[{i}]", Eps[i], 0, 1);
            else v.NonNegative($"eps[{i}]", Eps[i]);
        }
        if (Eps.Distinct().Count() != Eps.Count) v.Error("eps", "lists an epsilon twice");
        if (Steps is { } s) v.Positive("steps", s);
        if (StepSize is { } ss && !(ss > 0 && ss <= 1))
            v.Error("step_size", $"is a fraction of eps per step and must be in (0, 1], got {ss.ToString(System.Globalization.CultureInfo.InvariantCulture)}; for an absolute step in pixel units use alpha");
        if (Alpha is { } al) v.Positive("alpha", al);
        if (Restarts is { } r) v.Positive("restarts", r);
        if (Queries is { } q) v.Positive("queries", q);
        if (Samples is { } n) v.Positive("samples", n);
        if (BatchSize is { } b) v.Positive("batch_size", b);
        v.RequireModels();
        v.ModelRefs("models", Models);
        if (Attack == "fgsm")
        {
            foreach (var k in new[] { "steps", "restarts", "step_size", "alpha" }.Where(v.Given))
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
        // One meaning everywhere: step_size is a fraction of eps, alpha an absolute step in pixel units.
        if (StepSize is { } rel) args["step_size"] = rel;
        if (Alpha is { } a) args["alpha"] = a;
        if (Restarts is { } r) args["restarts"] = r;
        if (RandomStart is { } rs) args["random_start"] = rs ? 1 : 0;
        if (Queries is { } q) args["queries"] = q;
        foreach (var (k, val) in Options ?? new Dictionary<string, double>()) args[k] = val;
        return args;
    }

    /// <summary>First N test rows: the section's, else <see cref="RobustnessOptions"/>' default.</summary>
    [JsonIgnore] public int EffectiveSamples => Samples ?? new RobustnessOptions().Samples;

    /// <summary>Batch size: the section's, else <see cref="RobustnessOptions"/>' default.</summary>
    [JsonIgnore] public int EffectiveBatchSize => BatchSize ?? new RobustnessOptions().BatchSize;

    /// <summary>Attack mode: the section's, else <see cref="RobustnessOptions"/>' default.</summary>
    [JsonIgnore] public AttackMode EffectiveMode => Mode is null ? new RobustnessOptions().Mode : AttackModes.Parse(Mode, "mode");

    /// <summary>Nested epsilon grid: off when the section asks for independent epsilons, else <see cref="RobustnessOptions"/>' default.</summary>
    [JsonIgnore] public bool EffectiveNestedEpsilons => IndependentEps is { } independent ? !independent : new RobustnessOptions().NestedEpsilons;

    /// <summary>
    /// The library's options for sections that run together (same norm, grid, samples, batch size, targeting, mode and
    /// epsilon nesting): <see cref="RobustnessOptions"/>' defaults, overridden by the sections' keys (what
    /// <c>lab robustness</c>'s flags do). Workers are the run's (<c>lab run --workers</c>), not a section's: null keeps the library's.
    /// </summary>
    public static RobustnessOptions ToOptions(IReadOnlyList<AttackSection> group, int seed, int? workers = null)
    {
        var first = group[0];
        var d = new RobustnessOptions();
        return d with
        {
            Attacks = group.Select(s => new AttackSpec(s.RegistryName!, s.RegistryArgs() is { Count: > 0 } a ? a : null)).ToList(),
            Epsilons = first.EffectiveNorm == "linf" ? first.Eps : [],
            L2Epsilons = first.EffectiveNorm == "l2" ? first.Eps : [],
            Samples = first.EffectiveSamples,
            BatchSize = first.EffectiveBatchSize,
            Seed = seed,
            Target = first.Targeted ? TargetRule.Random : null,
            Mode = first.EffectiveMode,
            NestedEpsilons = first.EffectiveNestedEpsilons,
            Workers = workers ?? d.Workers,
        };
    }

    /// <summary>
    /// The entries that attack one model together, each group one <see cref="RobustnessOptions"/> (same norm, grid,
    /// samples, batch size, targeting, mode and epsilon nesting), in the order given.
    /// </summary>
    public static IReadOnlyList<IReadOnlyList<AttackSection>> Groups(IEnumerable<AttackSection> entries, string modelId)
    {
        var groups = new List<List<AttackSection>>();
        foreach (var s in entries.Where(s => s.Models is null || s.Models.Contains(modelId)))
        {
            var g = groups.FirstOrDefault(g => g[0].EffectiveNorm == s.EffectiveNorm && g[0].Eps.SequenceEqual(s.Eps) && g[0].EffectiveSamples == s.EffectiveSamples &&
                                               g[0].EffectiveBatchSize == s.EffectiveBatchSize && g[0].Targeted == s.Targeted &&
                                               g[0].EffectiveMode == s.EffectiveMode && g[0].EffectiveNestedEpsilons == s.EffectiveNestedEpsilons);
            if (g is null) groups.Add(g = []);
            g.Add(s);
        }
        return groups;
    }

    /// <summary>
    /// Checks the entries together, as the attacks stage will run them: an entry that repeats another's attack and
    /// settings for a model (rows would repeat, and "worst case over fgsm, fgsm") is refused at its own position, at
    /// <c>config validate</c> rather than after the models trained.
    /// </summary>
    public static void ValidateTogether(ConfigValidator v, string key, IReadOnlyList<AttackSection> entries)
    {
        var reported = new HashSet<int>();
        foreach (var model in v.ModelIds.DefaultIfEmpty(""))
            foreach (var group in Groups(entries, model))
                for (int k = 1; k < group.Count; k++)
                {
                    // Only what the entries cause together: each entry's own problems are reported by its own checks.
                    if (!IsValid([group[k]]) || !IsValid(group.Take(k).ToList()) || IsValid(group.Take(k + 1).ToList(), out var message)) continue;
                    int index = entries.ToList().IndexOf(group[k]);
                    if (reported.Add(index)) v.Error(ConfigPath.Item(key, index), message!);
                    break;
                }
    }

    private static bool IsValid(IReadOnlyList<AttackSection> group) => IsValid(group, out _);

    private static bool IsValid(IReadOnlyList<AttackSection> group, out string? message)
    {
        message = null;
        if (group.Any(s => s.RegistryName is null)) return false;
        try { ToOptions(group, 0).Validate(); }
        catch (Core.LabException e) { message = e.Message; return false; }
        return true;
    }

    /// <summary>"pgd-l2" -> "pgd": the registry's name without its norm suffix.</summary>
    private static string BaseName(string registryName) =>
        registryName.EndsWith("-l2", StringComparison.Ordinal) || registryName.EndsWith("-linf", StringComparison.Ordinal)
            ? registryName[..registryName.LastIndexOf('-')]
            : registryName;
}
