using RobustnessLab.Core;

namespace RobustnessLab.Training;

/// <summary>Training objectives by name. Adversarial objectives register here (see Attacks).</summary>
public static class TrainingObjectives
{
    /// <summary>A factory and the argument names it accepts (with defaults); an adversarial one's "eps" is a radius in <paramref name="Norm"/>.</summary>
    public sealed record Entry(string Name, string Description, IReadOnlyDictionary<string, double> Defaults,
        Func<IReadOnlyDictionary<string, double>, ITrainingObjective> Create, string Norm = "linf");

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["standard"] = new("standard", "cross-entropy on clean inputs", new Dictionary<string, double>(), _ => new StandardObjective()),
        ["fgsm"] = new("fgsm", "FGSM adversarial training without random start (Goodfellow 2014); shows catastrophic overfitting",
            new Dictionary<string, double> { ["eps"] = 0.1, ["clean_weight"] = 0 }, a => new FgsmObjective(a)),
        ["fgsm-rs"] = new("fgsm-rs", "FGSM with a random start, step 1.25 eps (Wong, Rice, Kolter 2020, 'fast is better than free')",
            new Dictionary<string, double> { ["eps"] = 0.1, ["alpha"] = 1.25, ["clean_weight"] = 0 }, a => new FgsmRsObjective(a)),
        ["pgd"] = new("pgd", "PGD adversarial training, Linf, random start (Madry et al. 2017)",
            PgdObjective.LinfDefaults, a => new PgdObjective(a, Attacks.Distance.Linf)),
        ["pgd-l2"] = new("pgd-l2", "PGD adversarial training, L2, random start, eps ramped up over the first ramp_epochs (Madry et al. 2017; Engstrom et al. 2019)",
            PgdObjective.L2Defaults, a => new PgdObjective(a, Attacks.Distance.L2), Attacks.Distance.L2.Name),
        ["trades"] = new("trades", "TRADES: clean CE + beta * KL to a PGD point (Zhang et al. 2019)",
            new Dictionary<string, double> { ["eps"] = 0.1, ["steps"] = 10, ["step_size"] = 0.25, ["beta"] = 6 }, a => new TradesObjective(a)),
    };

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static void Register(Entry entry)
    {
        lock (Entries) Entries[entry.Name] = entry;
    }

    public static ITrainingObjective Create(string name, IReadOnlyDictionary<string, double> args)
    {
        Validate(name, args);
        var e = Entries[name];
        var merged = new Dictionary<string, double>(e.Defaults);
        foreach (var (k, v) in args) merged[k] = v;
        return e.Create(merged);
    }

    /// <summary>
    /// The threat model an objective trained against: its entry's norm and eps (the args over the objective's
    /// defaults); null for standard training or an objective this registry does not know.
    /// </summary>
    public static TrainingRadius? Radius(string name, IReadOnlyDictionary<string, double> args)
    {
        if (!Entries.TryGetValue(name, out var e) || !e.Defaults.ContainsKey("eps")) return null;
        double eps = args.TryGetValue("eps", out var given) ? given : e.Defaults["eps"];
        return eps > 0 ? new TrainingRadius(e.Norm, eps) : null;
    }

    public static void Validate(string name, IReadOnlyDictionary<string, double> args)
    {
        if (!Entries.TryGetValue(name, out var e))
            throw new LabException($"unknown training objective '{name}'; valid: {string.Join(", ", Names)}");
        foreach (var k in args.Keys)
            if (!e.Defaults.ContainsKey(k))
                throw new LabException($"objective '{name}' has no setting '{k}'; valid: {(e.Defaults.Count == 0 ? "(none)" : string.Join(", ", e.Defaults.Keys))}");
    }
}
