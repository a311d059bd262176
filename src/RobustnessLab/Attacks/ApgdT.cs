using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// APGD-T (Croce and Hein 2020, arXiv:2003.01690): Auto-PGD on the targeted DLR loss
/// -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2), which is invariant to the logits' scale. With an untargeted
/// criterion it runs once per target class t among the <see cref="Targets"/> highest-scoring wrong classes of the
/// clean input and succeeds when any run misclassifies (as in AutoAttack); with a targeted criterion it runs toward
/// the criterion's target. Linf. Defaults: 100 steps per target, 9 targets (AutoAttack standard), needs >= 4 classes.
/// </summary>
public sealed class ApgdT : Apgd
{
    public override string Name => "apgd-t";

    /// <summary>Target classes tried per sample when the criterion is untargeted.</summary>
    public int Targets { get; init; } = 9;

    public override void Validate()
    {
        base.Validate();
        if (Targets <= 0) throw new LabException($"{Name}: targets must be positive, got {Targets}");
    }

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return PerturbWithLogits(model, x, goal, eps, generator).Adversarial.MoveToOuterDisposeScope();
    }

    protected internal override (Tensor Adversarial, Tensor Logits) PerturbWithLogits(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator)
    {
        if (model.NumClasses < 4) throw new LabException($"{Name}: the targeted DLR loss needs at least 4 classes, the model has {model.NumClasses}");
        using var scope = NewDisposeScope();
        var best = new WorstCase(x, model.NumClasses);
        if (goal.Targeted)
        {
            for (int r = 0; r < Restarts; r++)
                RunOnce(model, x, goal, eps, (logits, rows) => AttackLoss.DlrTargeted(logits, goal.Labels.index_select(0, rows), goal.Targets.index_select(0, rows)),
                    generator, best);
            return (best.Example.MoveToOuterDisposeScope(), best.Logits.MoveToOuterDisposeScope());
        }
        // Wrong classes ranked by the clean logits: rank 1 is the most likely class other than the label.
        var clean = AttackLoss.Exclude(model.Logits(x), goal.Labels, float.NegativeInfinity);
        var ranked = clean.argsort(1, descending: true);
        int count = Math.Min(Targets, model.NumClasses - 1);
        var finished = goal.EarlyStop && goal.Done is { } done ? done : zeros_like(best.Success);
        for (int k = 0; k < count; k++)
        {
            using var targetScope = NewDisposeScope();
            var remaining = best.Success.logical_or(finished).logical_not().nonzero().flatten();
            if (remaining.numel() == 0) break;
            var xs = x.index_select(0, remaining);
            var sub = goal.Select(remaining);
            var target = ranked[.., k].index_select(0, remaining);
            var subBest = new WorstCase(xs, model.NumClasses);
            subBest.Example.copy_(best.Example.index_select(0, remaining));
            subBest.Logits.copy_(best.Logits.index_select(0, remaining));
            var epsSub = eps.index_select(0, remaining);
            for (int r = 0; r < Restarts; r++)
                RunOnce(model, xs, sub, epsSub, (logits, rows) => AttackLoss.DlrTargeted(logits, sub.Labels.index_select(0, rows), target.index_select(0, rows)),
                    generator, subBest);
            best.Example.index_copy_(0, remaining, subBest.Example);
            best.Logits.index_copy_(0, remaining, subBest.Logits);
            best.Success.index_copy_(0, remaining, subBest.Success);
        }
        return (best.Example.MoveToOuterDisposeScope(), best.Logits.MoveToOuterDisposeScope());
    }
}
