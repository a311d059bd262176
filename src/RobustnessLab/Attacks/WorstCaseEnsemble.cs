using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Per-sample worst case over a list of attacks in one norm (Croce and Hein 2020, arXiv:2003.01690): each attack
/// runs only on the samples the previous ones did not break, and a sample counts as broken when any attack
/// succeeds. The default list is AutoAttack's standard one without FAB-T: APGD-CE, APGD-T (DLR, 9 targets),
/// Square (5000 queries). Minimisation members are restricted to the ball. Being a fixed-epsilon attack, it also
/// serves the minimal-epsilon bisection.
/// </summary>
public sealed class WorstCaseEnsemble : FixedEpsilonAttack
{
    public WorstCaseEnsemble(IReadOnlyList<Attack>? attacks = null)
    {
        Attacks = attacks ?? [new ApgdCe(), new ApgdT(), new Square()];
        if (Attacks.Count == 0) throw new LabException("ensemble: needs at least one attack");
        var norms = Attacks.Select(a => a.Distance.Name).Distinct().ToArray();
        if (norms.Length > 1) throw new LabException($"ensemble: all attacks must share one norm, got {string.Join(", ", norms)}");
        if (Attacks.Any(a => a is WorstCaseEnsemble)) throw new LabException("ensemble: members cannot be ensembles");
    }

    public IReadOnlyList<Attack> Attacks { get; }

    public override string Name => "ensemble";
    public override Distance Distance => Attacks[0].Distance;
    public override bool UsesGradients => Attacks.Any(a => a.UsesGradients);
    public override bool SupportsTargeted => Attacks.All(a => a.SupportsTargeted);

    public override void Validate()
    {
        foreach (var a in Attacks) a.Validate();
    }

    public override AttackMode ModeRun(AttackMode requested) => requested;

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return PerturbWithLogits(model, x, goal, eps, generator).Adversarial.MoveToOuterDisposeScope();
    }

    protected internal override (Tensor Adversarial, Tensor Logits) PerturbWithLogits(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator)
    {
        using var scope = NewDisposeScope();
        var best = x.clone();
        var logits = zeros(new[] { x.shape[0], model.NumClasses }, dtype: x.dtype, device: x.device);
        // Samples done before the ensemble starts (a nested epsilon grid) count as broken.
        var broken = goal.EarlyStop && goal.Done is { } done ? done.clone() : zeros(new[] { x.shape[0] }, dtype: ScalarType.Bool, device: x.device);
        foreach (var attack in Attacks)
        {
            using var member = NewDisposeScope();
            var remaining = broken.logical_not().nonzero().flatten();
            if (remaining.numel() == 0) break;
            var xs = x.index_select(0, remaining);
            var gs = goal.Select(remaining);
            var es = eps.index_select(0, remaining);
            Tensor adv, z;
            switch (attack)
            {
                case FixedEpsilonAttack f:
                    (adv, z) = f.PerturbWithLogits(model, xs, gs, es, generator);
                    break;
                case MinimizationAttack m:
                    adv = ProjectAndClip(xs, m.Minimize(model, xs, gs, generator), es);
                    using (no_grad()) z = model.Model.call(adv);
                    break;
                default:
                    throw new LabException($"ensemble: cannot run '{attack.Name}'");
            }
            best.index_copy_(0, remaining, adv);
            logits.index_copy_(0, remaining, z);
            broken.index_copy_(0, remaining, gs.IsAdversarial(z));
        }
        return (best.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }
}
