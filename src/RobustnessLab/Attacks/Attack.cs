using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Base of every attack. The cross-cutting work lives here once: checking inputs and budgets, resolving the
/// criterion's targets, running the model in eval mode and restoring the caller's mode (so dropout is off and
/// BatchNorm statistics are neither used per batch nor updated). Inputs are [0,1] pixels; the model normalises
/// inside, so epsilons are in pixel units, as in torchattacks and Foolbox.
/// </summary>
public abstract class Attack
{
    /// <summary>Registry name, e.g. "pgd".</summary>
    public abstract string Name { get; }

    /// <summary>The norm the budget is measured in.</summary>
    public abstract Distance Distance { get; }

    /// <summary>Needs input gradients (white box) or only scores (black box).</summary>
    public virtual bool UsesGradients => true;

    /// <summary>Whether a targeted criterion is supported.</summary>
    public virtual bool SupportsTargeted => true;

    /// <summary>Throws a <see cref="LabException"/> naming the first bad setting.</summary>
    public virtual void Validate() { }

    /// <summary>
    /// Attacks a batch at every epsilon. Runs in eval mode; the model's mode, parameters, their gradients and
    /// BatchNorm statistics are left as they were.
    /// </summary>
    /// <param name="model">Classifier on [0,1] pixels.</param>
    /// <param name="x">Clean inputs [N, C, H, W] in [0,1]; not modified.</param>
    /// <param name="labels">True labels, int64 [N].</param>
    /// <param name="epsilons">Budgets in this attack's norm, pixel units.</param>
    /// <param name="criterion">Untargeted when null.</param>
    /// <param name="generator">Randomness (random starts, random targets, Square's proposals); reproducible for a seed and batch.</param>
    /// <param name="cancel">Checked once per step.</param>
    /// <param name="mode">Early stopping (robust accuracy, success rates) or the loss-maximising run (every step for every sample).</param>
    /// <param name="nestedEpsilons">With early stopping: a sample adversarial at a smaller epsilon keeps that example at the larger ones.</param>
    public AttackResult Run(Classifier model, Tensor x, Tensor labels, IReadOnlyList<double> epsilons, Criterion? criterion = null,
        Generator? generator = null, CancellationToken cancel = default, AttackMode mode = AttackMode.MaximizeLoss, bool nestedEpsilons = false)
    {
        criterion ??= Criterion.Untargeted;
        CheckCall(model, x, labels, epsilons, criterion);
        return model.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            var access = new AttackModel(model, cancel);
            var targets = ResolveTargets(model, x, labels, criterion, generator);
            var goal = new AttackGoal(labels, targets, criterion) { EarlyStop = mode == AttackMode.EarlyStop };
            return RunCore(access, x, goal, epsilons.ToArray(), generator, nestedEpsilons);
        });
    }

    /// <summary>The attack proper, on a checked batch, in eval mode, inside a dispose scope.</summary>
    protected internal abstract AttackResult RunCore(AttackModel model, Tensor x, AttackGoal goal, double[] epsilons, Generator? generator,
        bool nestedEpsilons);

    /// <summary>
    /// The mode that actually runs when <paramref name="requested"/> is asked for: attacks without per-sample
    /// iterations (FGSM, the minimisation attacks) run in full; Square always stops at the first success.
    /// </summary>
    public virtual AttackMode ModeRun(AttackMode requested) => AttackMode.MaximizeLoss;

    /// <summary>Checks a call's inputs with errors a researcher can act on.</summary>
    protected void CheckCall(Classifier model, Tensor x, Tensor labels, IReadOnlyList<double> epsilons, Criterion criterion)
    {
        Validate();
        if (criterion.IsTargeted && !SupportsTargeted) throw new LabException($"attack '{Name}' is untargeted only; drop the target rule");
        criterion.Validate(model.NumClasses);
        CheckInputs(model, x, labels);
        foreach (var e in epsilons) CheckEpsilon(e, x);
        if (UsesGradients) InputGradientCheck.Ensure(model);
    }

    /// <summary>Input rank, shape against the model's spec, label count and range.</summary>
    public static void CheckInputs(Classifier model, Tensor x, Tensor labels)
    {
        var shape = model.Spec.InputShape;
        if (x.dim() != 4 || x.shape[1] != shape[0] || x.shape[2] != shape[1] || x.shape[3] != shape[2])
            throw new LabException($"inputs of shape [{string.Join(", ", x.shape)}] do not match the model's input shape N x {string.Join(" x ", shape)}");
        if (labels.dim() != 1 || labels.shape[0] != x.shape[0])
            throw new LabException($"need one label per input: {x.shape[0]} inputs, labels of shape [{string.Join(", ", labels.shape)}]");
        if (labels.dtype != ScalarType.Int64) throw new LabException($"labels must be int64, got {labels.dtype}");
        if (labels.numel() > 0)
        {
            long lo = labels.min().item<long>(), hi = labels.max().item<long>();
            if (lo < 0 || hi >= model.NumClasses) throw new LabException($"labels must be in 0..{model.NumClasses - 1}, found {lo}..{hi}");
        }
    }

    /// <summary>Epsilon must be finite, non-negative and at most the norm's diameter of [0,1] inputs.</summary>
    public void CheckEpsilon(double eps, Tensor x)
    {
        if (double.IsNaN(eps) || eps < 0) throw new LabException($"{Name}: epsilon must be >= 0, got {eps}");
        double max = Distance.MaxEpsilon(x.numel() / Math.Max(1, x.shape[0]));
        if (eps > max)
            throw new LabException($"{Name}: epsilon {eps} is above {max:G4}, the largest {Distance.Name} distance between two [0,1] inputs (epsilons are in pixel units, not 0-255)");
    }

    private static Tensor ResolveTargets(Classifier model, Tensor x, Tensor labels, Criterion criterion, Generator? generator)
    {
        if (!criterion.IsTargeted) return labels.alias();
        using var _ = no_grad();
        var clean = model.call(x);
        return criterion.ResolveTargets(labels, clean, generator);
    }

    /// <summary>A per-sample epsilon tensor [N, 1, 1, 1] filled with one value.</summary>
    protected static Tensor EpsilonTensor(Tensor x, double eps) =>
        Distance.PerSample(full(new[] { x.shape[0] }, eps, dtype: x.dtype, device: x.device), x);

    /// <summary>Projects x' onto the eps ball around the original x (not the previous iterate, which would let the perturbation drift), then clamps to [0,1].</summary>
    protected Tensor ProjectAndClip(Tensor x, Tensor candidate, Tensor eps)
    {
        using var scope = NewDisposeScope();
        return (x + Distance.Project(candidate - x, eps)).clamp(0, 1).MoveToOuterDisposeScope();
    }

    /// <summary>Success flags as a managed array.</summary>
    protected static bool[] ToBools(Tensor flags) => flags.cpu().data<bool>().ToArray();

    public override string ToString() => Name;
}
