using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// What counts as a successful adversarial example (Foolbox 3's criteria, Rauber et al. 2017, arXiv:1707.04131).
/// A criterion is a plain value: <see cref="Misclassification"/> or <see cref="TargetedMisclassification"/>; the
/// per-sample target tensor is resolved once per batch by <see cref="ResolveTargets"/>.
/// </summary>
public abstract record Criterion
{
    /// <summary>Untargeted: success when the prediction differs from the true label.</summary>
    public static Criterion Untargeted { get; } = new Misclassification();

    /// <summary>Targeted toward one class for every sample.</summary>
    public static Criterion Target(int targetClass) => new TargetedMisclassification(TargetRule.Given, targetClass);

    /// <summary>Targeted toward the clean input's least-likely class.</summary>
    public static Criterion LeastLikely { get; } = new TargetedMisclassification(TargetRule.LeastLikely);

    /// <summary>Targeted toward a random class other than the true label.</summary>
    public static Criterion RandomTarget { get; } = new TargetedMisclassification(TargetRule.Random);

    public abstract bool IsTargeted { get; }

    /// <summary>Short description for reports: "untargeted", "targeted (least-likely)", "targeted (class 3)".</summary>
    public abstract string Describe();

    /// <summary>Throws a <see cref="LabException"/> when the criterion cannot apply to a model with this many classes.</summary>
    public virtual void Validate(int numClasses) { }

    /// <summary>
    /// The class each sample's loss is computed against: the true label (untargeted) or the target (targeted).
    /// Call inside a dispose scope.
    /// </summary>
    /// <param name="labels">True labels, int64 [N].</param>
    /// <param name="cleanLogits">Logits of the clean inputs [N, K] (used by the least-likely rule).</param>
    /// <param name="generator">Randomness for the random rule.</param>
    public abstract Tensor ResolveTargets(Tensor labels, Tensor cleanLogits, Generator? generator);

    /// <summary>
    /// Per-sample success as a bool tensor [N]: prediction != label (untargeted), or prediction == target and
    /// target != label (targeted: reaching a target that is the true label is not an attack).
    /// </summary>
    public Tensor IsAdversarial(Tensor logits, Tensor labels, Tensor targets)
    {
        var predicted = logits.argmax(1);
        return IsTargeted ? predicted.eq(targets).logical_and(targets.ne(labels)) : predicted.ne(labels);
    }
}
