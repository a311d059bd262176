using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Fast Gradient Sign Method (Goodfellow, Shlens, Szegedy 2014, "Explaining and Harnessing Adversarial Examples",
/// arXiv:1412.6572): x' = x + eps * sign(grad_x J(theta, x, y)), one gradient evaluation, Linf threat model.
/// Targeted (criterion with a target rule): x' = x - eps * sign(grad_x J(theta, x, t)), descending toward the
/// target (Kurakin 2016's "least-likely class" variant with <see cref="TargetRule.LeastLikely"/>).
/// Options: <see cref="Clip"/> (default true) clamps x' to [0,1]; the paper's FGSM does not clip, so switch it off
/// to reproduce the paper, at the price of inputs outside the image range.
/// </summary>
public sealed class Fgsm : FixedEpsilonAttack
{
    public override string Name => "fgsm";
    public override Distance Distance => Distance.Linf;

    /// <summary>Clamp the adversarial input to [0,1] (default true).</summary>
    public bool Clip { get; init; } = true;

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        model.Cancel.ThrowIfCancellationRequested();
        var (gradient, _) = model.Gradient(x, logits => AttackLoss.CrossEntropy(logits, goal));
        var adv = x + eps * gradient.sign();
        return (Clip ? adv.clamp(0, 1) : adv).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The direction FGSM adds, sign(grad_x J(x, y)) (minus sign(grad_x J(x, t)) when targeted): the middle image
    /// of the panda figure. Caller's scope.
    /// </summary>
    public static Tensor StepDirection(AttackModel model, Tensor x, AttackGoal goal)
    {
        var (gradient, _) = model.Gradient(x, logits => AttackLoss.CrossEntropy(logits, goal));
        return gradient.sign();
    }
}
