using System.Globalization;
using RobustnessLab.Core;

namespace RobustnessLab.Attacks;

/// <summary>
/// Attacks by name with their settings (numbers, with defaults), as the CLI and experiment configs name them.
/// Unknown names and settings are errors that list the valid ones.
/// </summary>
public static class AttackRegistry
{
    /// <summary>A factory and the settings it accepts (with defaults).</summary>
    public sealed record Entry(string Name, string Norm, string Description, IReadOnlyDictionary<string, double> Defaults,
        Func<Settings, Attack> Create);

    /// <summary>Merged settings of one attack, with typed readers that reject bad values.</summary>
    public sealed class Settings(string attack, IReadOnlyDictionary<string, double> values)
    {
        public double Real(string name) => values[name];

        public int Int(string name)
        {
            double v = values[name];
            if (v != Math.Floor(v) || v > int.MaxValue || v < int.MinValue)
                throw new LabException($"{attack}: setting '{name}' must be an integer, got {v.ToString(CultureInfo.InvariantCulture)}");
            return (int)v;
        }

        public bool Flag(string name) => values[name] != 0;
    }

    private static Dictionary<string, double> D(params (string Key, double Value)[] pairs) => pairs.ToDictionary(p => p.Key, p => p.Value);

    private static readonly Dictionary<string, Entry> Entries = new Entry[]
    {
        new("fgsm", "linf", "Fast Gradient Sign Method (Goodfellow 2014); clip=0 reproduces the unclipped paper version",
            D(("clip", 1)), s => new Fgsm { Clip = s.Flag("clip") }),
        new("bim", "linf", "Basic Iterative Method / I-FGSM (Kurakin 2016): no random start",
            D(("steps", 10), ("step_size", 0.25), ("alpha", 0)), s => new Bim { Steps = s.Int("steps"), RelativeStepSize = s.Real("step_size"), StepSize = Abs(s) }),
        new("pgd", "linf", "PGD, Linf (Madry 2017): random start, restarts, per-sample worst case",
            D(("steps", 20), ("step_size", 0.125), ("alpha", 0), ("random_start", 1), ("restarts", 1)),
            s => new Pgd { Steps = s.Int("steps"), RelativeStepSize = s.Real("step_size"), StepSize = Abs(s), RandomStart = s.Flag("random_start"), Restarts = s.Int("restarts") }),
        new("pgd-l2", "l2", "PGD, L2 (Madry 2017): random start, restarts, per-sample worst case",
            D(("steps", 20), ("step_size", 0.125), ("alpha", 0), ("random_start", 1), ("restarts", 1)),
            s => new PgdL2 { Steps = s.Int("steps"), RelativeStepSize = s.Real("step_size"), StepSize = Abs(s), RandomStart = s.Flag("random_start"), Restarts = s.Int("restarts") }),
        new("mi-fgsm", "linf", "Momentum Iterative FGSM (Dong 2018)",
            D(("steps", 10), ("step_size", 0.1), ("decay", 1.0)), s => new MiFgsm { Steps = s.Int("steps"), RelativeStepSize = s.Real("step_size"), Decay = s.Real("decay") }),
        new("apgd-ce", "linf", "Auto-PGD on cross-entropy (Croce and Hein 2020)",
            D(("steps", 100), ("restarts", 1), ("rho", 0.75)), s => new ApgdCe { Steps = s.Int("steps"), Restarts = s.Int("restarts"), Rho = s.Real("rho") }),
        new("apgd-t", "linf", "Auto-PGD on the targeted DLR loss over the top wrong classes (Croce and Hein 2020)",
            D(("steps", 100), ("restarts", 1), ("targets", 9), ("rho", 0.75)),
            s => new ApgdT { Steps = s.Int("steps"), Restarts = s.Int("restarts"), Targets = s.Int("targets"), Rho = s.Real("rho") }),
        new("square", "linf", "Square attack, score-based black box (Andriushchenko 2020); counts queries",
            D(("queries", 5000), ("p_init", 0.8), ("restarts", 1)), s => new Square { Queries = s.Int("queries"), PInit = s.Real("p_init"), Restarts = s.Int("restarts") }),
        new("deepfool", "l2", "DeepFool, L2 (Moosavi-Dezfooli 2016): minimal perturbation",
            D(("steps", 50), ("candidates", 10), ("overshoot", 0.02)),
            s => new DeepFool(Distance.L2) { Steps = s.Int("steps"), Candidates = s.Int("candidates"), Overshoot = s.Real("overshoot") }),
        new("deepfool-linf", "linf", "DeepFool, Linf (Moosavi-Dezfooli 2016): minimal perturbation",
            D(("steps", 50), ("candidates", 10), ("overshoot", 0.02)),
            s => new DeepFool(Distance.Linf) { Steps = s.Int("steps"), Candidates = s.Int("candidates"), Overshoot = s.Real("overshoot") }),
        new("cw", "l2", "Carlini-Wagner L2 with binary search over c (2017): minimal perturbation",
            D(("search_steps", 5), ("steps", 100), ("lr", 0.01), ("c", 1.0), ("kappa", 0)),
            s => new CarliniWagnerL2 { BinarySearchSteps = s.Int("search_steps"), Steps = s.Int("steps"), LearningRate = s.Real("lr"), InitialConstant = s.Real("c"), Confidence = s.Real("kappa") }),
        new("fab-t", "linf", "FAB-T, targeted Fast Adaptive Boundary (Croce and Hein 2020): minimal perturbation over the top wrong classes",
            D(("steps", 100), ("targets", 9), ("restarts", 1), ("alpha_max", 0.1), ("eta", 1.05), ("beta", 0.9)),
            s => new FabT { Steps = s.Int("steps"), Targets = s.Int("targets"), Restarts = s.Int("restarts"), AlphaMax = s.Real("alpha_max"), Eta = s.Real("eta"), Beta = s.Real("beta") }),
        new("autoattack", "linf", "AutoAttack standard (Croce and Hein 2020): APGD-CE, APGD-T, FAB-T, Square in order, each on the points still robust",
            D(("steps", 100), ("targets", 9), ("queries", 5000)),
            s => new AutoAttack(s.Int("steps"), s.Int("targets"), s.Int("queries"))),
        new("ensemble", "linf", "per-sample worst case of APGD-CE, APGD-T and Square (AutoAttack standard minus FAB-T)",
            D(("steps", 100), ("targets", 9), ("queries", 5000)),
            s => new WorstCaseEnsemble([new ApgdCe { Steps = s.Int("steps") }, new ApgdT { Steps = s.Int("steps"), Targets = s.Int("targets") }, new Square { Queries = s.Int("queries") }])),
    }.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    private static double? Abs(Settings s) => s.Real("alpha") > 0 ? s.Real("alpha") : null;

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static IReadOnlyCollection<Entry> All => Entries.Values;

    public static Entry Get(string name) => Entries.TryGetValue(name.Trim(), out var e)
        ? e
        : throw new LabException($"unknown attack '{name}'; valid: {string.Join(", ", Names)}");

    /// <summary>Creates an attack with its defaults overridden by <paramref name="args"/>; validates everything.</summary>
    public static Attack Create(string name, IReadOnlyDictionary<string, double>? args = null)
    {
        var entry = Get(name);
        var merged = new Dictionary<string, double>(entry.Defaults);
        foreach (var (k, v) in args ?? new Dictionary<string, double>())
        {
            if (!entry.Defaults.ContainsKey(k))
                throw new LabException($"attack '{entry.Name}' has no setting '{k}'; valid: {string.Join(", ", entry.Defaults.Keys)}");
            merged[k] = v;
        }
        var attack = entry.Create(new Settings(entry.Name, merged));
        attack.Validate();
        return attack;
    }
}
