using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// An attack that looks for the smallest perturbation that succeeds (DeepFool, Carlini-Wagner). It runs once;
/// for each epsilon its perturbation is projected onto the ball and re-checked, so success at eps means "the
/// minimal perturbation found fits in eps" (Foolbox 3's MinimizationAttack).
/// </summary>
public abstract class MinimizationAttack : Attack
{
    /// <summary>
    /// The smallest adversarial inputs found (the clean input where none was found). Eval mode, inside the
    /// caller's dispose scope.
    /// </summary>
    protected internal abstract Tensor Minimize(AttackModel model, Tensor x, AttackGoal goal, Generator? generator);

    /// <summary>
    /// The attack at a fixed budget eps [N,1,1,1]: adversarial inputs inside the ball (the minimal perturbation
    /// projected onto it). Attacks that search several directions may override this to skip samples already broken
    /// within the budget. Eval mode, inside the caller's dispose scope.
    /// </summary>
    protected internal virtual Tensor MinimizeWithin(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return ProjectAndClip(x, Minimize(model, x, goal, generator), eps).MoveToOuterDisposeScope();
    }

    protected internal override AttackResult RunCore(AttackModel model, Tensor x, AttackGoal goal, double[] epsilons, Generator? generator,
        bool nestedEpsilons)
    {
        int n = (int)x.shape[0];
        var sw = Stopwatch.StartNew();
        var adv = n == 0 ? x.clone() : Minimize(model, x, goal, generator).detach();
        double seconds = sw.Elapsed.TotalSeconds;
        var minimal = new double[n];
        var adversarials = new Tensor[epsilons.Length];
        var success = new bool[epsilons.Length][];
        using (no_grad())
        {
            var found = n == 0 ? [] : ToBools(goal.IsAdversarial(model.Model.call(adv)));
            var norms = Distance.Measure(adv - x).cpu().data<float>().ToArray();
            for (int i = 0; i < n; i++) minimal[i] = found[i] ? norms[i] : double.PositiveInfinity;
            for (int e = 0; e < epsilons.Length; e++)
            {
                using var scope = NewDisposeScope();
                var restricted = epsilons[e] == 0 ? x.clone() : ProjectAndClip(x, adv, EpsilonTensor(x, epsilons[e]));
                success[e] = n == 0 ? [] : ToBools(goal.IsAdversarial(model.Model.call(restricted)));
                adversarials[e] = restricted.MoveToOuterDisposeScope();
            }
        }
        var secondsPer = Enumerable.Repeat(seconds, epsilons.Length).ToArray();
        var grads = Enumerable.Repeat(model.GradientEvaluations, epsilons.Length).ToArray();
        var queries = Enumerable.Repeat(model.Queries, epsilons.Length).ToArray();
        return new AttackResult(Name, Distance, epsilons, adversarials, success, goal.Targets.cpu().data<long>().ToArray(), secondsPer, grads, queries, minimal);
    }

    /// <summary>The smallest adversarial inputs found for a batch (eval mode; caller's scope).</summary>
    public Tensor Minimize(Classifier model, Tensor x, Tensor labels, Criterion? criterion = null, Generator? generator = null)
    {
        criterion ??= Criterion.Untargeted;
        CheckCall(model, x, labels, [], criterion);
        return model.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            Tensor targets;
            using (no_grad()) targets = criterion.IsTargeted ? criterion.ResolveTargets(labels, model.call(x), generator) : labels.alias();
            return Minimize(new AttackModel(model), x, new AttackGoal(labels, targets, criterion), generator).detach().MoveToOuterDisposeScope();
        });
    }

    /// <summary>Positive integer setting check shared by the minimisation attacks.</summary>
    protected void Positive(string setting, int value)
    {
        if (value <= 0) throw new LabException($"{Name}: {setting} must be positive, got {value}");
    }
}
