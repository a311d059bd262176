using RobustnessLab.Attacks;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// FGSM adversarial training without a random start (Goodfellow, Shlens, Szegedy 2014, arXiv:1412.6572, sec. 5):
/// x' = clip(x + eps * sign(grad_x CE(x, y))). Kept so that catastrophic overfitting can be shown: such models
/// often resist FGSM (even above clean accuracy, label leaking) while PGD breaks them (Wong, Rice, Kolter 2020,
/// arXiv:2001.03994, sec. 4). Settings: eps (0.1), clean_weight (0; the paper used 0.5).
/// </summary>
public sealed class FgsmObjective(IReadOnlyDictionary<string, double> args) : AdversarialObjective(args)
{
    public override string Name => "fgsm";

    protected override Tensor Generate(AttackModel model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        var (gradient, _) = model.Gradient(x, logits => AttackLoss.CrossEntropy(logits, y));
        return (x + gradient.sign() * Epsilon).clamp(0, 1);
    }
}
