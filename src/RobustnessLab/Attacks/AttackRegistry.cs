using System.Globalization;
using System.Reflection;
using RobustnessLab.Core;

namespace RobustnessLab.Attacks;

/// <summary>
/// Attacks by name with their settings, as the CLI (<c>--arg</c>) and experiment configs (<c>attacks:</c>, <c>options:</c>)
/// name them. An attack's settings are its own init properties (<see cref="IterativeGradientAttack.Steps"/>, ...), so each default is
/// written once, in the attack class; the registry only maps setting names to those properties. Two settings size the
/// steps of the iterative attacks, with one meaning everywhere: <c>step_size</c> is a fraction of eps per step
/// (<see cref="IterativeGradientAttack.RelativeStepSize"/>) and <c>alpha</c> an absolute step in pixel units that
/// overrides it (<see cref="IterativeGradientAttack.StepSize"/>; 0 leaves it unset). Unknown names and bad values are
/// errors that name the attack and the setting.
/// </summary>
public static class AttackRegistry
{
    /// <summary>One setting: its name in configs and on the command line, and the attack property it sets.</summary>
    public sealed record Setting(string Name, string Property);

    /// <summary>An attack's name, norm and description, how to make one with its defaults, and its settings.</summary>
    public sealed record Entry(string Name, string Norm, string Description, IReadOnlyList<Setting> Settings,
        Func<IReadOnlyDictionary<string, double>, Attack> Build)
    {
        /// <summary>Every setting with its default (read from a fresh attack; an unset <c>alpha</c> reads 0).</summary>
        public IReadOnlyDictionary<string, double> Defaults { get; init; } = new Dictionary<string, double>();
    }

    private static Entry Typed<T>(string name, string norm, string description, Func<T> make, params (string Name, string Property)[] settings) where T : Attack
    {
        var list = settings.Select(s => new Setting(s.Name, s.Property)).ToList();
        var fresh = make();
        return new Entry(name, norm, description, list, args =>
        {
            var attack = make();
            foreach (var (key, value) in args)
            {
                var setting = list.First(s => s.Name == key);
                Set(attack, name, setting, value);
            }
            return attack;
        })
        { Defaults = list.ToDictionary(s => s.Name, s => Read(fresh, s.Property)) };
    }

    private static readonly Dictionary<string, Entry> Entries = new[]
    {
        Typed("fgsm", "linf", "Fast Gradient Sign Method (Goodfellow 2014); clip=0 reproduces the unclipped paper version", () => new Fgsm(), ("clip", "Clip")),
        Typed("bim", "linf", "Basic Iterative Method / I-FGSM (Kurakin 2016): no random start", () => new Bim(),
            ("steps", "Steps"), ("step_size", "RelativeStepSize"), ("alpha", "StepSize")),
        Typed("pgd", "linf", "PGD, Linf (Madry 2017): random start, restarts, per-sample worst case", () => new Pgd(),
            ("steps", "Steps"), ("step_size", "RelativeStepSize"), ("alpha", "StepSize"), ("random_start", "RandomStart"), ("restarts", "Restarts")),
        Typed("pgd-l2", "l2", "PGD, L2 (Madry 2017): random start, restarts, per-sample worst case", () => new PgdL2(),
            ("steps", "Steps"), ("step_size", "RelativeStepSize"), ("alpha", "StepSize"), ("random_start", "RandomStart"), ("restarts", "Restarts")),
        Typed("mi-fgsm", "linf", "Momentum Iterative FGSM (Dong 2018)", () => new MiFgsm(),
            ("steps", "Steps"), ("step_size", "RelativeStepSize"), ("alpha", "StepSize"), ("decay", "Decay")),
        Typed("apgd-ce", "linf", "Auto-PGD on cross-entropy (Croce and Hein 2020)", () => new ApgdCe(), ("steps", "Steps"), ("restarts", "Restarts"), ("rho", "Rho")),
        Typed("apgd-t", "linf", "Auto-PGD on the targeted DLR loss over the top wrong classes (Croce and Hein 2020)", () => new ApgdT(),
            ("steps", "Steps"), ("restarts", "Restarts"), ("targets", "Targets"), ("rho", "Rho")),
        Typed("square", "linf", "Square attack, score-based black box (Andriushchenko 2020); counts queries", () => new Square(),
            ("queries", "Queries"), ("p_init", "PInit"), ("restarts", "Restarts")),
        Typed("deepfool", "l2", "DeepFool, L2 (Moosavi-Dezfooli 2016): minimal perturbation", () => new DeepFool(Distance.L2),
            ("steps", "Steps"), ("candidates", "Candidates"), ("overshoot", "Overshoot")),
        Typed("deepfool-linf", "linf", "DeepFool, Linf (Moosavi-Dezfooli 2016): minimal perturbation", () => new DeepFool(Distance.Linf),
            ("steps", "Steps"), ("candidates", "Candidates"), ("overshoot", "Overshoot")),
        Typed("cw", "l2", "Carlini-Wagner L2 with binary search over c (2017): minimal perturbation", () => new CarliniWagnerL2(),
            ("search_steps", "BinarySearchSteps"), ("steps", "Steps"), ("lr", "LearningRate"), ("c", "InitialConstant"), ("kappa", "Confidence")),
        Typed("fab-t", "linf", "FAB-T, targeted Fast Adaptive Boundary (Croce and Hein 2020): minimal perturbation over the top wrong classes", () => new FabT(),
            ("steps", "Steps"), ("targets", "Targets"), ("restarts", "Restarts"), ("alpha_max", "AlphaMax"), ("eta", "Eta"), ("beta", "Beta")),
        EnsembleEntry("autoattack", "AutoAttack standard (Croce and Hein 2020): APGD-CE, APGD-T, FAB-T, Square in order, each on the points still robust",
            () => new AutoAttack()),
        EnsembleEntry("ensemble", "per-sample worst case of APGD-CE, APGD-T and Square (AutoAttack standard minus FAB-T)", () => new WorstCaseEnsemble()),
    }.ToDictionary(e => e.Name, StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// An ensemble (AutoAttack, or its list minus FAB-T): each setting reaches every member that has it (steps: the APGDs
    /// and FAB-T; targets: APGD-T and FAB-T; queries: Square), and its default is the first such member's own.
    /// </summary>
    private static Entry EnsembleEntry(string name, string description, Func<WorstCaseEnsemble> make)
    {
        Setting[] settings = [new("steps", "Steps"), new("targets", "Targets"), new("queries", "Queries")];
        static IEnumerable<Attack> Taking(WorstCaseEnsemble e, Setting s) => e.Attacks.Where(m => m.GetType().GetProperty(s.Property) is not null);
        var fresh = make();
        return new Entry(name, "linf", description, settings, args =>
        {
            var ensemble = make();
            foreach (var (key, value) in args)
            {
                var setting = settings.First(s => s.Name == key);
                foreach (var member in Taking(ensemble, setting)) Set(member, name, setting, value);
            }
            return ensemble;
        })
        { Defaults = settings.ToDictionary(s => s.Name, s => Read(Taking(fresh, s).First(), s.Property)) };
    }

    private static double Read(Attack attack, string property) => attack.GetType().GetProperty(property)!.GetValue(attack) switch
    {
        null => 0,
        bool b => b ? 1 : 0,
        int i => i,
        double d => d,
        var other => throw new InvalidOperationException($"{attack.Name}.{property} is a {other.GetType().Name}, not a number"),
    };

    private static void Set(Attack attack, string name, Setting setting, double value)
    {
        var p = attack.GetType().GetProperty(setting.Property, BindingFlags.Public | BindingFlags.Instance)!;
        string Shown() => value.ToString(CultureInfo.InvariantCulture);
        if (double.IsNaN(value) || double.IsInfinity(value)) throw new LabException($"{name}: setting '{setting.Name}' must be a finite number, got {Shown()}");
        var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
        object? boxed;
        if (t == typeof(bool))
            boxed = value switch { 0 => false, 1 => true, _ => throw new LabException($"{name}: setting '{setting.Name}' is a switch: 0 or 1, got {Shown()}") };
        else if (t == typeof(int))
            boxed = value == Math.Floor(value) && Math.Abs(value) <= int.MaxValue ? (int)value
                : throw new LabException($"{name}: setting '{setting.Name}' must be an integer, got {Shown()}");
        else
            boxed = p.PropertyType != t && value == 0 ? null : value;   // alpha 0: unset (the relative step_size applies)
        p.SetValue(attack, boxed);
    }

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static IReadOnlyCollection<Entry> All => Entries.Values;

    public static Entry Get(string name) => Entries.TryGetValue(name.Trim(), out var e)
        ? e
        : throw new LabException($"unknown attack '{name}'; valid: {string.Join(", ", Names)}");

    /// <summary>Creates an attack with its defaults overridden by <paramref name="args"/>; validates everything.</summary>
    public static Attack Create(string name, IReadOnlyDictionary<string, double>? args = null)
    {
        var entry = Get(name);
        foreach (var k in (args ?? new Dictionary<string, double>()).Keys)
            if (!entry.Defaults.ContainsKey(k))
            {
                var close = DidYouMean.Suggest(k, entry.Defaults.Keys);
                throw new LabException($"attack '{entry.Name}' has no setting '{k}'{(close is null ? "" : $" (did you mean '{close}'?)")}; " +
                                       $"valid: {string.Join(", ", entry.Defaults.Keys)}" +
                                       (k == "eps" ? " (eps is the attack's budget: give it as the eps grid, not as a setting)" : ""));
            }
        var attack = entry.Build(args ?? new Dictionary<string, double>());
        attack.Validate();
        return attack;
    }
}
