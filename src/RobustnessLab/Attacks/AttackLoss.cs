using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Per-sample losses on logits that attacks ascend. Every one takes logits, never softmax outputs (a softmax in
/// front of the loss saturates and hides the gradient: AutoAttack's gradient-masking check).
/// </summary>
public static class AttackLoss
{
    /// <summary>Cross-entropy per sample [N].</summary>
    public static Tensor CrossEntropy(Tensor logits, Tensor classes) =>
        nn.functional.cross_entropy(logits, classes, reduction: nn.Reduction.None);

    /// <summary>
    /// The loss to ascend for a goal: CE against the label (untargeted) or minus CE against the target (targeted:
    /// descending toward the target; ascending CE against the target would push away from it).
    /// </summary>
    public static Tensor CrossEntropy(Tensor logits, AttackGoal goal) =>
        goal.Targeted ? CrossEntropy(logits, goal.Targets).neg() : CrossEntropy(logits, goal.Labels);

    /// <summary>Largest logit among the classes other than <paramref name="classes"/>, per sample.</summary>
    public static Tensor MaxOther(Tensor logits, Tensor classes) => Exclude(logits, classes, float.NegativeInfinity).amax(1);

    /// <summary>The logits with each sample's class <paramref name="classes"/> replaced by <paramref name="value"/> (e.g. -inf to rank the others).</summary>
    public static Tensor Exclude(Tensor logits, Tensor classes, float value)
    {
        using var scope = NewDisposeScope();
        var mask = nn.functional.one_hot(classes, logits.shape[1]).to(ScalarType.Bool);
        return logits.masked_fill(mask, value).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Margin z_c - max_{j != c} z_j with c the label (untargeted) or max_{j != t} z_j - z_t (targeted): positive
    /// while the attack has not succeeded (Carlini and Wagner 2017's f6; Square attack's loss).
    /// </summary>
    public static Tensor Margin(Tensor logits, AttackGoal goal)
    {
        var c = goal.Targeted ? goal.Targets : goal.Labels;
        var zc = logits.gather(1, c.unsqueeze(1)).squeeze(1);
        var other = MaxOther(logits, c);
        return goal.Targeted ? other - zc : zc - other;
    }

    /// <summary>
    /// Difference of logits ratio, untargeted (Croce and Hein 2020, arXiv:2003.01690, eq. 5), to ascend:
    /// -(z_y - max_{i != y} z_i) / (z_pi1 - z_pi3). Invariant to shifting and scaling the logits.
    /// </summary>
    public static Tensor Dlr(Tensor logits, Tensor labels)
    {
        var sorted = logits.sort(1, descending: true).Values;
        var zy = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var denominator = sorted[.., 0] - sorted[.., 2] + 1e-12;
        return (zy - MaxOther(logits, labels)).neg() / denominator;
    }

    /// <summary>
    /// Targeted DLR (Croce and Hein 2020, eq. 6), to ascend: -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2).
    /// Needs at least 4 classes.
    /// </summary>
    public static Tensor DlrTargeted(Tensor logits, Tensor labels, Tensor targets)
    {
        var sorted = logits.sort(1, descending: true).Values;
        var zy = logits.gather(1, labels.unsqueeze(1)).squeeze(1);
        var zt = logits.gather(1, targets.unsqueeze(1)).squeeze(1);
        var denominator = sorted[.., 0] - (sorted[.., 2] + sorted[.., 3]) * 0.5 + 1e-12;
        return (zy - zt).neg() / denominator;
    }
}
