using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// APGD-CE (Croce and Hein 2020, arXiv:2003.01690): Auto-PGD ascending the cross-entropy (descending it toward the
/// target when targeted). Linf. Defaults: 100 steps, 1 restart, rho 0.75, random start. The first attack of
/// AutoAttack's standard ensemble.
/// </summary>
public sealed class ApgdCe : Apgd
{
    public override string Name => "apgd-ce";

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return PerturbWithLogits(model, x, goal, eps, generator).Adversarial.MoveToOuterDisposeScope();
    }

    protected internal override (Tensor Adversarial, Tensor Logits) PerturbWithLogits(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator)
    {
        using var scope = NewDisposeScope();
        var best = new WorstCase(x, model.NumClasses);
        for (int r = 0; r < Restarts; r++)
            RunOnce(model, x, goal, eps, (logits, rows) => AttackLoss.CrossEntropy(logits, goal.Select(rows)), generator, best);
        return (best.Example.MoveToOuterDisposeScope(), best.Logits.MoveToOuterDisposeScope());
    }
}
