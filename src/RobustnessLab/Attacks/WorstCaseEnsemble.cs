using System.Diagnostics;
using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Per-sample worst case over a list of attacks in one norm (Croce and Hein 2020, arXiv:2003.01690): samples the model
/// already gets wrong are not attacked, each attack runs only on the samples the previous ones left robust, and a
/// sample counts as broken when any attack succeeds. The result records, per epsilon, each member's turn in order
/// (samples attacked, samples broken, time and cost: <see cref="AttackResult.Stages"/>). <see cref="AutoAttack"/>
/// builds AutoAttack's standard list; the default list here is that list without FAB-T: APGD-CE, APGD-T (DLR, 9 targets),
/// Square (5000 queries). Minimisation members run at the budget (<see cref="MinimizationAttack.MinimizeWithin"/>).
/// Being a fixed-epsilon attack, it also serves the minimal-epsilon bisection.
/// </summary>
public class WorstCaseEnsemble : FixedEpsilonAttack
{
    public WorstCaseEnsemble(IReadOnlyList<Attack>? attacks = null, string name = "ensemble")
    {
        Attacks = attacks ?? [new ApgdCe(), new ApgdT(), new Square()];
        Name = name;
        if (Attacks.Count == 0) throw new LabException($"{name}: needs at least one attack");
        var norms = Attacks.Select(a => a.Distance.Name).Distinct().ToArray();
        if (norms.Length > 1) throw new LabException($"{name}: all attacks must share one norm, got {string.Join(", ", norms)}");
        if (Attacks.Any(a => a is WorstCaseEnsemble)) throw new LabException($"{name}: members cannot be ensembles");
    }

    public IReadOnlyList<Attack> Attacks { get; }

    public override string Name { get; }
    public override Distance Distance => Attacks[0].Distance;
    public override bool UsesGradients => Attacks.Any(a => a.UsesGradients);
    public override bool SupportsTargeted => Attacks.All(a => a.SupportsTargeted);

    public override void Validate()
    {
        foreach (var a in Attacks) a.Validate();
    }

    public override AttackMode ModeRun(AttackMode requested) => requested;

    protected internal override bool RecordsStages => true;

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return PerturbLogged(model, x, goal, eps, generator, []).Adversarial.MoveToOuterDisposeScope();
    }

    protected internal override (Tensor Adversarial, Tensor Logits) PerturbWithLogits(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator) => PerturbLogged(model, x, goal, eps, generator, []);

    protected internal override (Tensor Adversarial, Tensor Logits) PerturbLogged(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator, List<EnsembleStage> log)
    {
        using var scope = NewDisposeScope();
        var best = x.clone();
        // Samples already misclassified are not attacked (AutoAttack attacks the initially robust points only), nor
        // those done before the ensemble starts (broken at a smaller epsilon of a nested grid).
        var logits = model.Logits(x);
        var broken = goal.IsAdversarial(logits);
        if (goal.EarlyStop && goal.Done is { } done) broken = broken.logical_or(done);
        foreach (var attack in Attacks)
        {
            using var member = NewDisposeScope();
            var remaining = broken.logical_not().nonzero().flatten();
            int attacked = (int)remaining.numel();
            if (attacked == 0)
            {
                log.Add(new EnsembleStage(attack.Name, 0, 0, 0, 0, 0));
                continue;
            }
            long q0 = model.Queries, g0 = model.GradientEvaluations;
            var sw = Stopwatch.StartNew();
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
                    adv = m.MinimizeWithin(model, xs, gs, es, generator);
                    using (no_grad()) z = model.Model.call(adv);
                    break;
                default:
                    throw new LabException($"{Name}: cannot run '{attack.Name}'");
            }
            var success = gs.IsAdversarial(z);
            // Members run only on unbroken samples, so this never overwrites an earlier success.
            best.index_copy_(0, remaining, adv);
            logits.index_copy_(0, remaining, z);
            broken.index_copy_(0, remaining, success);
            log.Add(new EnsembleStage(attack.Name, attacked, (int)success.sum().item<long>(), sw.Elapsed.TotalSeconds,
                model.GradientEvaluations - g0, model.Queries - q0));
        }
        return (best.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }
}
