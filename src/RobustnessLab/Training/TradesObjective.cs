using RobustnessLab.Attacks;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// TRADES (Zhang, Yu, Jiao, Xing, El Ghaoui, Jordan 2019, "Theoretically Principled Trade-off between Robustness
/// and Accuracy", arXiv:1901.08573): loss = CE(f(x), y) + beta * KL(f(x) || f(x')), where x' maximises the KL term
/// by Linf PGD started at x + 0.001 * N(0, 1). Settings: eps (0.1), steps (10), step_size as a multiple of eps
/// (0.25), beta (6, the paper's CIFAR value). clean_weight does not apply (the CE term is on clean inputs).
/// </summary>
public sealed class TradesObjective : AdversarialObjective
{
    public TradesObjective(IReadOnlyDictionary<string, double> args) : base(args)
    {
        Steps = PositiveInt(args, "steps", 10);
        StepSize = PositiveReal(args, "step_size", 0.25);
        Beta = PositiveReal(args, "beta", 6);
    }

    public override string Name => "trades";
    public int Steps { get; }
    public double StepSize { get; }
    public double Beta { get; }

    protected override Tensor Generate(AttackModel model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        var clean = model.Logits(x).softmax(1).detach();
        var adv = (x + randn(x.shape, generator: step.Generator).to(x.device) * 0.001).clamp(0, 1);
        for (int t = 0; t < Steps; t++)
        {
            using var scope = NewDisposeScope();
            var (gradient, _) = model.Gradient(adv, logits => Kl(clean, logits));
            adv = ProjectAndClip(x, adv + gradient.sign() * (StepSize * Epsilon), Epsilon).MoveToOuterDisposeScope();
        }
        return adv;
    }

    public override ObjectiveOutput Compute(Classifier model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        var adv = model.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            return Generate(new AttackModel(model), x, y, step).detach().MoveToOuterDisposeScope();
        });
        var logits = model.call(x);
        var advLogits = model.call(adv);
        var loss = nn.functional.cross_entropy(logits, y) + Kl(logits.softmax(1), advLogits).mean() * Beta;
        return new ObjectiveOutput(loss, logits);
    }

    /// <summary>Per-sample KL(p || softmax(logits)).</summary>
    private static Tensor Kl(Tensor p, Tensor logits) =>
        (p * (p.clamp_min(1e-12).log() - logits.log_softmax(1))).sum(1);
}
