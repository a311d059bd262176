using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// One batch's goal: the true labels, the per-sample targets (equal to the labels when untargeted) and the
/// criterion that decides success. Tensors belong to the caller's dispose scope.
/// </summary>
public sealed record AttackGoal(Tensor Labels, Tensor Targets, Criterion Criterion)
{
    public bool Targeted => Criterion.IsTargeted;

    /// <summary>Per-sample success (bool [N]) of logits under this goal.</summary>
    public Tensor IsAdversarial(Tensor logits) => Criterion.IsAdversarial(logits, Labels, Targets);

    /// <summary>The goal restricted to some rows (for attacks that drop samples once they succeed).</summary>
    public AttackGoal Select(Tensor rows) => new(Labels.index_select(0, rows), Targets.index_select(0, rows), Criterion);
}
