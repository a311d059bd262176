using RobustnessLab.Attacks;
using RobustnessLab.Core;

namespace RobustnessLab.Evaluation;

/// <summary>What <see cref="RobustnessEvaluation.Run"/> measures. Plain values, so experiment configs can hold them.</summary>
public sealed record RobustnessOptions
{
    /// <summary>Attacks to run (registry names, see <see cref="AttackRegistry"/>).</summary>
    public IReadOnlyList<AttackSpec> Attacks { get; init; } = [new("fgsm"), new("pgd")];

    /// <summary>Budgets for Linf attacks, pixel units.</summary>
    public IReadOnlyList<double> Epsilons { get; init; } = [0, 0.05, 0.1];

    /// <summary>Budgets for L2 attacks (pgd-l2, deepfool, cw), pixel units; an L2 ball of radius 1 on 28x28 images is small.</summary>
    public IReadOnlyList<double> L2Epsilons { get; init; } = [0, 0.5, 1, 2];

    /// <summary>First N test rows (0: all).</summary>
    public int Samples { get; init; } = 1000;

    public int BatchSize { get; init; } = 250;

    /// <summary>Seed of random starts, random targets and Square's proposals.</summary>
    public int Seed { get; init; }

    /// <summary>Targeted evaluation: how targets are chosen (null: untargeted).</summary>
    public TargetRule? Target { get; init; }

    /// <summary>The class for <see cref="TargetRule.Given"/>.</summary>
    public int? TargetClass { get; init; }

    /// <summary>Attack whose minimal epsilon per sample is searched (bisection for fixed-epsilon attacks); null: skip.</summary>
    public AttackSpec? MinimalEpsilonAttack { get; init; }

    /// <summary>Upper end of the bisection, in the attack's norm.</summary>
    public double MinimalEpsilonMax { get; init; } = 0.5;

    /// <summary>Bisection steps (resolution max / 2^steps).</summary>
    public int BisectionSteps { get; init; } = 10;

    /// <summary>
    /// Early stopping (the default: robust accuracy and success rates need one adversarial example per sample) or the
    /// loss-maximising run (every sample runs every step; for loss curves and to compare with it).
    /// </summary>
    public AttackMode Mode { get; init; } = AttackMode.EarlyStop;

    /// <summary>
    /// With early stopping, each attack runs its epsilons in increasing order and a sample adversarial at a smaller
    /// epsilon keeps that example at the larger ones (it lies inside every larger ball), so only the samples still robust
    /// are attacked. Robust accuracy can only go down against independent runs, and only where an attack broke a sample
    /// at a smaller budget but not at a larger one.
    /// </summary>
    public bool NestedEpsilons { get; init; } = true;

    /// <summary>Worker threads sharing the batches (each with threads / workers libtorch threads); results do not depend on it.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>How many of the most frequent class flips to report per epsilon.</summary>
    public int TopFlips { get; init; } = 10;

    public Criterion Criterion => Target is { } rule ? new TargetedMisclassification(rule, TargetClass) : Criterion.Untargeted;

    /// <summary>Throws a <see cref="LabException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        if (Attacks.Count == 0) throw new LabException("no attacks given; valid: " + string.Join(", ", AttackRegistry.Names));
        foreach (var a in Attacks) AttackRegistry.Create(a.Name, a.Args);
        if (Epsilons.Count == 0 && Attacks.Any(a => AttackRegistry.Get(a.Name).Norm == "linf")) throw new LabException("no epsilons given for the linf attacks");
        foreach (var e in Epsilons)
            if (double.IsNaN(e) || e < 0 || e > 1) throw new LabException($"linf epsilon {e} must be in [0, 1] (pixel units; 8/255 = {8 / 255.0:F4})");
        foreach (var e in L2Epsilons)
            if (double.IsNaN(e) || e < 0) throw new LabException($"l2 epsilon {e} must be >= 0");
        // A repeated epsilon repeats rows, and a repeated attack makes "worst case over fgsm, fgsm": both are typos.
        if (Epsilons.GroupBy(e => e).FirstOrDefault(g => g.Count() > 1) is { } de) throw new LabException($"linf epsilon {de.Key} is listed twice");
        if (L2Epsilons.GroupBy(e => e).FirstOrDefault(g => g.Count() > 1) is { } dl) throw new LabException($"l2 epsilon {dl.Key} is listed twice");
        if (Attacks.GroupBy(a => a.Canonical()).FirstOrDefault(g => g.Count() > 1) is { } da)
            throw new LabException($"attack '{da.First().Name}' is listed twice with the same settings");
        if (Samples < 0) throw new LabException($"samples must be >= 0, got {Samples}");
        if (BatchSize <= 0) throw new LabException($"batch size must be positive, got {BatchSize}");
        if (Target == TargetRule.Given && TargetClass is null) throw new LabException("the 'given' target rule needs a target class");
        if (Target is null && TargetClass is not null) throw new LabException("a target class needs a targeted run (target rule 'given')");
        if (MinimalEpsilonAttack is { } m)
        {
            AttackRegistry.Create(m.Name, m.Args);
            if (!(MinimalEpsilonMax > 0)) throw new LabException($"minimal-epsilon upper bound must be positive, got {MinimalEpsilonMax}");
            if (BisectionSteps <= 0) throw new LabException($"bisection steps must be positive, got {BisectionSteps}");
        }
        if (Workers <= 0) throw new LabException($"workers must be positive, got {Workers}");
        if (TopFlips < 0) throw new LabException($"top flips must be >= 0, got {TopFlips}");
    }
}
