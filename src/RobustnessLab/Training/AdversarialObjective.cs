using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// Base of the adversarial-training objectives: builds adversarial inputs with the model in eval mode (dropout off,
/// BatchNorm statistics untouched by the attack's extra passes), restores train mode, and returns the loss on
/// (1 - clean_weight) * CE(x') + clean_weight * CE(x). Input gradients come from <see cref="AttackModel"/>
/// (<c>autograd.grad</c>), so parameter gradients only ever hold the training loss's.
/// </summary>
public abstract class AdversarialObjective : ITrainingObjective
{
    /// <param name="args">Objective settings (eps, clean_weight and the subclass's own).</param>
    /// <param name="maxEpsilon">Largest meaningful budget: 1 for Linf in [0,1] pixel units; larger for L2 budgets.</param>
    protected AdversarialObjective(IReadOnlyDictionary<string, double> args, double maxEpsilon = 1)
    {
        Epsilon = args.TryGetValue("eps", out var e) ? e : 0.1;
        CleanWeight = args.TryGetValue("clean_weight", out var w) ? w : 0;
        if (double.IsNaN(Epsilon) || Epsilon < 0 || Epsilon > maxEpsilon) throw new LabException($"{GetType().Name}: eps must be in [0, {maxEpsilon}] (pixel units), got {Epsilon}");
        if (CleanWeight < 0 || CleanWeight > 1) throw new LabException($"clean_weight must be in [0, 1], got {CleanWeight}");
    }

    public abstract string Name { get; }

    /// <summary>Linf budget in pixel units.</summary>
    public double Epsilon { get; }

    /// <summary>Weight of the clean loss (Goodfellow 2014 used 0.5; Madry 2017 and Wong 2020 train on adversarial inputs only).</summary>
    public double CleanWeight { get; }

    /// <summary>Adversarial inputs for the batch (model already in eval mode; caller's dispose scope).</summary>
    protected abstract Tensor Generate(AttackModel model, Tensor x, Tensor y, TrainingStepInfo step);

    public virtual ObjectiveOutput Compute(Classifier model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        var adv = Epsilon == 0 ? x : model.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            return Generate(new AttackModel(model), x, y, step).detach().MoveToOuterDisposeScope();
        });
        var logits = model.call(adv);
        var loss = nn.functional.cross_entropy(logits, y);
        if (CleanWeight > 0) loss = loss * (1 - CleanWeight) + nn.functional.cross_entropy(model.call(x), y) * CleanWeight;
        return new ObjectiveOutput(loss, logits);
    }

    /// <summary>Linf projection around the original input, then clamp to [0,1].</summary>
    protected static Tensor ProjectAndClip(Tensor x, Tensor candidate, double eps) =>
        (x + (candidate - x).clamp(-eps, eps)).clamp(0, 1);

    /// <summary>A uniform point of the Linf ball, from the epoch's generator (resumed runs draw the same).</summary>
    protected static Tensor UniformStart(Tensor x, double eps, Generator generator) =>
        ProjectAndClip(x, x + (rand(x.shape, generator: generator).to(x.device) * 2 - 1) * eps, eps);

    protected static int PositiveInt(IReadOnlyDictionary<string, double> args, string name, int fallback)
    {
        double v = args.TryGetValue(name, out var a) ? a : fallback;
        if (v < 1 || v != Math.Floor(v)) throw new LabException($"objective setting '{name}' must be a positive integer, got {v}");
        return (int)v;
    }

    protected static double PositiveReal(IReadOnlyDictionary<string, double> args, string name, double fallback)
    {
        double v = args.TryGetValue(name, out var a) ? a : fallback;
        if (!(v > 0) || double.IsInfinity(v)) throw new LabException($"objective setting '{name}' must be positive, got {v}");
        return v;
    }
}
