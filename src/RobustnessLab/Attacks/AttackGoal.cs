using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// One batch's goal: the true labels, the per-sample targets (equal to the labels when untargeted) and the
/// criterion that decides success. With <see cref="EarlyStop"/> a sample is finished at its first adversarial
/// iterate; <see cref="Done"/> marks samples already finished before the attack starts (adversarial at a smaller
/// epsilon of a nested grid), which attacks that support early stopping leave out of every step. Random draws are
/// still made for the whole batch, so a sample's stream does not depend on which others are done. Tensors belong to
/// the caller's dispose scope.
/// </summary>
public sealed record AttackGoal(Tensor Labels, Tensor Targets, Criterion Criterion)
{
    public bool Targeted => Criterion.IsTargeted;

    /// <summary>Stop each sample at its first adversarial iterate (<see cref="AttackMode.EarlyStop"/>).</summary>
    public bool EarlyStop { get; init; }

    /// <summary>Samples (bool [N]) that need no attack; null: none. Honoured only with <see cref="EarlyStop"/>.</summary>
    public Tensor? Done { get; init; }

    /// <summary>Per-sample success (bool [N]) of logits under this goal.</summary>
    public Tensor IsAdversarial(Tensor logits) => Criterion.IsAdversarial(logits, Labels, Targets);

    /// <summary>The goal restricted to some rows (for attacks that drop samples once they succeed).</summary>
    public AttackGoal Select(Tensor rows) => this with
    {
        Labels = Labels.index_select(0, rows),
        Targets = Targets.index_select(0, rows),
        Done = Done?.index_select(0, rows),
    };

    /// <summary>The rows (int64) still to attack: all of them unless early stopping with some done.</summary>
    public Tensor Pending(long n, Device device) => EarlyStop && Done is { } d
        ? d.logical_not().nonzero().flatten()
        : arange(n, dtype: ScalarType.Int64, device: device);
}
