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

    /// <summary>
    /// <see cref="Perturb"/> plus the logits of the returned examples, so callers need not run the model on them again.
    /// Attacks that evaluate their iterates anyway override this and return the logits they computed; the default runs
    /// the model once (bookkeeping, not counted as queries). Caller's dispose scope.
    /// </summary>
    protected internal virtual (Tensor Adversarial, Tensor Logits) PerturbWithLogits(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator)
    {
        using var scope = NewDisposeScope();
        var adv = Perturb(model, x, goal, eps, generator).detach();
        Tensor logits;
        using (no_grad()) logits = model.Model.call(adv);
        return (adv.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    /// <summary>
    /// <see cref="PerturbWithLogits"/>, logging the turns of an ensemble's members into <paramref name="log"/> (other
    /// attacks log nothing).
    /// </summary>
    protected internal virtual (Tensor Adversarial, Tensor Logits) PerturbLogged(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator, List<EnsembleStage> log) => PerturbWithLogits(model, x, goal, eps, generator);

    /// <summary>Whether results carry <see cref="AttackResult.Stages"/> (ensembles).</summary>
    protected internal virtual bool RecordsStages => false;

    /// <summary>
    /// Runs every epsilon. With a nested grid (early stopping only) the epsilons run in increasing order and a sample
    /// adversarial at a smaller epsilon keeps that example (it lies inside every larger ball), so larger epsilons attack
    /// only the samples still robust.
    /// </summary>
    protected internal override AttackResult RunCore(AttackModel model, Tensor x, AttackGoal goal, double[] epsilons, Generator? generator,
        bool nestedEpsilons)
    {
        int n = (int)x.shape[0];
        var adversarials = new Tensor[epsilons.Length];
        var logits = new Tensor[epsilons.Length];
        var success = new bool[epsilons.Length][];
        var seconds = new double[epsilons.Length];
        var grads = new long[epsilons.Length];
        var queries = new long[epsilons.Length];
        var stages = new IReadOnlyList<EnsembleStage>[epsilons.Length];
        bool nested = nestedEpsilons && goal.EarlyStop;
        var order = Enumerable.Range(0, epsilons.Length).ToArray();
        if (nested) order = order.OrderBy(e => epsilons[e]).ToArray();
        Tensor? carried = null, carriedAdv = null, carriedLogits = null;
        // One random stream per epsilon (by its position in the list), so a sample's random start at an epsilon does
        // not depend on the order the epsilons run in, nor on whether the grid is nested.
        ulong streams = generator is null ? 0 : (ulong)randint(0, int.MaxValue, new[] { 1L }, generator: generator).item<long>();
        foreach (int e in order)
        {
            using var scope = NewDisposeScope();
            long q0 = model.Queries, g0 = model.GradientEvaluations;
            var sw = Stopwatch.StartNew();
            var log = new List<EnsembleStage>();
            Tensor adv, z;
            // eps = 0 leaves the inputs unchanged without spending a query.
            if (epsilons[e] == 0 || n == 0)
            {
                adv = x.clone();
                using (no_grad()) z = model.Model.call(x);
            }
            else
            {
                var g = nested && carried is not null ? goal with { Done = goal.Done is { } d ? d.logical_or(carried) : carried } : goal;
                using var stream = generator is null ? null : new Generator(Core.LabContext.DeriveSeed((long)streams, e), CPU);
                (adv, z) = PerturbLogged(model, x, g, EpsilonTensor(x, epsilons[e]), stream, log);
                adv = adv.detach();
                if (nested && carried is not null)
                {
                    adv = where(Distance.PerSample(carried, x), carriedAdv!, adv);
                    z = where(carried.unsqueeze(1), carriedLogits!, z);
                }
            }
            seconds[e] = sw.Elapsed.TotalSeconds;
            grads[e] = model.GradientEvaluations - g0;
            queries[e] = model.Queries - q0;
            stages[e] = log;
            var flags = goal.IsAdversarial(z);
            success[e] = n == 0 ? [] : ToBools(flags);
            adversarials[e] = adv.MoveToOuterDisposeScope();
            logits[e] = z.MoveToOuterDisposeScope();
            if (nested)
            {
                carried = flags.MoveToOuterDisposeScope();
                carriedAdv = adversarials[e];
                carriedLogits = logits[e];
            }
        }
        return new AttackResult(Name, Distance, epsilons, adversarials, success, goal.Targets.cpu().data<long>().ToArray(), seconds, grads, queries,
            logits: logits)
        {
            Mode = ModeRun(goal.EarlyStop ? AttackMode.EarlyStop : AttackMode.MaximizeLoss),
            NestedEpsilons = nested,
            Stages = RecordsStages ? stages : null,
        };
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
