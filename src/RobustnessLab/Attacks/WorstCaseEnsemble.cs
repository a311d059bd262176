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

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator) =>
        Perturb(model, x, goal, eps, generator, []);

    protected internal override AttackResult RunCore(AttackModel model, Tensor x, AttackGoal goal, double[] epsilons, Generator? generator)
    {
        int n = (int)x.shape[0];
        var adversarials = new Tensor[epsilons.Length];
        var success = new bool[epsilons.Length][];
        var seconds = new double[epsilons.Length];
        var grads = new long[epsilons.Length];
        var queries = new long[epsilons.Length];
        var stages = new IReadOnlyList<EnsembleStage>[epsilons.Length];
        for (int e = 0; e < epsilons.Length; e++)
        {
            using var scope = NewDisposeScope();
            long q0 = model.Queries, g0 = model.GradientEvaluations;
            var sw = Stopwatch.StartNew();
            var log = new List<EnsembleStage>();
            var adv = epsilons[e] == 0 || n == 0 ? x.clone() : Perturb(model, x, goal, EpsilonTensor(x, epsilons[e]), generator, log).detach();
            seconds[e] = sw.Elapsed.TotalSeconds;
            grads[e] = model.GradientEvaluations - g0;
            queries[e] = model.Queries - q0;
            stages[e] = log;
            using (no_grad()) success[e] = n == 0 ? [] : ToBools(goal.IsAdversarial(model.Model.call(adv)));
            adversarials[e] = adv.MoveToOuterDisposeScope();
        }
        return new AttackResult(Name, Distance, epsilons, adversarials, success, goal.Targets.cpu().data<long>().ToArray(), seconds, grads, queries)
        {
            Stages = stages,
        };
    }

    private Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator, List<EnsembleStage> log)
    {
        using var scope = NewDisposeScope();
        var best = x.clone();
        Tensor broken;
        // Samples already misclassified are not attacked (AutoAttack attacks the initially robust points only).
        using (no_grad()) broken = goal.IsAdversarial(model.Logits(x));
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
            var adv = attack switch
            {
                FixedEpsilonAttack f => f.Perturb(model, xs, gs, es, generator),
                MinimizationAttack m => m.MinimizeWithin(model, xs, gs, es, generator),
                _ => throw new LabException($"{Name}: cannot run '{attack.Name}'"),
            };
            Tensor success;
            using (no_grad()) success = gs.IsAdversarial(model.Model.call(adv));
            // Members run only on unbroken samples, so this never overwrites an earlier success.
            best.index_copy_(0, remaining, adv);
            broken.index_copy_(0, remaining, success);
            log.Add(new EnsembleStage(attack.Name, attacked, (int)success.sum().item<long>(), sw.Elapsed.TotalSeconds,
                model.GradientEvaluations - g0, model.Queries - q0));
        }
        return best.MoveToOuterDisposeScope();
    }
}
