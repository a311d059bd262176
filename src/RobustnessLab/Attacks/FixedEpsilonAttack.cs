using System.Diagnostics;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// An attack given a budget: it runs once per epsilon and returns examples inside the ball (Foolbox 3's
/// FixedEpsilonAttack). Subclasses implement <see cref="Perturb"/> for a per-sample epsilon tensor, which also
/// serves the minimal-epsilon bisection and adversarial training.
/// </summary>
public abstract class FixedEpsilonAttack : Attack
{
    /// <summary>
    /// Adversarial inputs for per-sample budgets <paramref name="eps"/> [N, 1, 1, 1] (all positive). Runs in eval
    /// mode inside the caller's dispose scope; must return inputs within eps of x (and in [0,1] unless the attack
    /// documents otherwise).
    /// </summary>
    protected internal abstract Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator);

    protected internal override AttackResult RunCore(AttackModel model, Tensor x, AttackGoal goal, double[] epsilons, Generator? generator)
    {
        int n = (int)x.shape[0];
        var adversarials = new Tensor[epsilons.Length];
        var success = new bool[epsilons.Length][];
        var seconds = new double[epsilons.Length];
        var grads = new long[epsilons.Length];
        var queries = new long[epsilons.Length];
        for (int e = 0; e < epsilons.Length; e++)
        {
            using var scope = NewDisposeScope();
            long q0 = model.Queries, g0 = model.GradientEvaluations;
            var sw = Stopwatch.StartNew();
            // eps = 0 leaves the inputs unchanged without spending a query.
            var adv = epsilons[e] == 0 || n == 0 ? x.clone() : Perturb(model, x, goal, EpsilonTensor(x, epsilons[e]), generator).detach();
            seconds[e] = sw.Elapsed.TotalSeconds;
            grads[e] = model.GradientEvaluations - g0;
            queries[e] = model.Queries - q0;
            using (no_grad()) success[e] = n == 0 ? [] : ToBools(goal.IsAdversarial(model.Model.call(adv)));
            adversarials[e] = adv.MoveToOuterDisposeScope();
        }
        return new AttackResult(Name, Distance, epsilons, adversarials, success, goal.Targets.cpu().data<long>().ToArray(), seconds, grads, queries);
    }

    /// <summary>
    /// Adversarial inputs at one epsilon without the bookkeeping (for adversarial training and figures). Eval mode,
    /// caller's mode restored; the result lives in the caller's dispose scope.
    /// </summary>
    public Tensor Generate(Classifier model, Tensor x, Tensor labels, double eps, Criterion? criterion = null, Generator? generator = null)
    {
        criterion ??= Criterion.Untargeted;
        CheckCall(model, x, labels, [eps], criterion);
        using var scope = NewDisposeScope();
        return Generate(model, x, labels, EpsilonTensor(x, eps).flatten(), criterion, generator).MoveToOuterDisposeScope();
    }

    /// <summary>As <see cref="Generate(Classifier, Tensor, Tensor, double, Criterion?, Generator?)"/> with one epsilon per sample ([N]).</summary>
    public Tensor Generate(Classifier model, Tensor x, Tensor labels, Tensor epsPerSample, Criterion? criterion = null, Generator? generator = null,
        CancellationToken cancel = default)
    {
        criterion ??= Criterion.Untargeted;
        Validate();
        CheckInputs(model, x, labels);
        criterion.Validate(model.NumClasses);
        if (UsesGradients) InputGradientCheck.Ensure(model);
        return model.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            var access = new AttackModel(model, cancel);
            Tensor targets;
            using (no_grad()) targets = criterion.IsTargeted ? criterion.ResolveTargets(labels, model.call(x), generator) : labels.alias();
            var eps = Distance.PerSample(epsPerSample.to(x.dtype).to(x.device), x);
            // Samples with eps 0 keep their input; the others are attacked.
            var adv = Perturb(access, x, new AttackGoal(labels, targets, criterion), eps.clamp_min(1e-12), generator).detach();
            return where(eps.gt(0), adv, x).MoveToOuterDisposeScope();
        });
    }
}
