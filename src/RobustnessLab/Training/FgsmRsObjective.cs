using RobustnessLab.Attacks;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// "Fast is better than free" FGSM training with a random start (Wong, Rice, Kolter 2020, arXiv:2001.03994,
/// Algorithm 3): delta ~ U(-eps, eps); delta = clamp(delta + alpha * sign(grad_delta CE(x + delta, y)), -eps, eps);
/// train on clip(x + delta). Settings: eps (0.1), alpha as a multiple of eps (1.25, the paper's value),
/// clean_weight (0).
/// </summary>
public sealed class FgsmRsObjective : AdversarialObjective
{
    public FgsmRsObjective(IReadOnlyDictionary<string, double> args) : base(args) => Alpha = PositiveReal(args, "alpha", 1.25);

    public override string Name => "fgsm-rs";

    /// <summary>Step size as a multiple of eps.</summary>
    public double Alpha { get; }

    protected override Tensor Generate(AttackModel model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        var start = UniformStart(x, Epsilon, step.Generator);
        var (gradient, _) = model.Gradient(start, logits => AttackLoss.CrossEntropy(logits, y));
        return ProjectAndClip(x, start + gradient.sign() * (Alpha * Epsilon), Epsilon);
    }
}
