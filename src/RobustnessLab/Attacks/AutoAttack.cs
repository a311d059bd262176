namespace RobustnessLab.Attacks;

/// <summary>
/// AutoAttack, standard version, Linf (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an
/// ensemble of diverse parameter-free attacks", arXiv:2003.01690): APGD-CE (100 steps, 1 restart), APGD-T (DLR loss,
/// 100 steps, 9 target classes), FAB-T (100 steps, 9 target classes), Square (5000 queries), in that order; each
/// attack runs only on the points all earlier ones left robust, and a point's robust accuracy is the per-sample worst
/// case. The order and the points each member ran on and broke are in <see cref="AttackResult.Stages"/>. Its robust
/// accuracy is the headline number of a robustness table.
/// </summary>
public sealed class AutoAttack : WorstCaseEnsemble
{
    /// <summary>The four members with their own defaults; the registry's settings (steps, targets, queries) reach the members that have them.</summary>
    public AutoAttack()
        : base([new ApgdCe(), new ApgdT(), new FabT(), new Square()], "autoattack")
    {
    }

    /// <summary>The member names in the order they run.</summary>
    public static IReadOnlyList<string> Order { get; } = ["apgd-ce", "apgd-t", "fab-t", "square"];
}
