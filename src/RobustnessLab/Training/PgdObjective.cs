using RobustnessLab.Attacks;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// PGD adversarial training (Madry, Makelov, Schmidt, Tsipras, Vladu 2017, arXiv:1706.06083): minimise the
/// cross-entropy on the final iterate of Linf PGD with a random start. Settings: eps (0.1), steps (7), step_size
/// as a multiple of eps (0.25), clean_weight (0). Madry used 40 steps of 0.01 at eps 0.3 on MNIST; a few steps
/// suffice at the small epsilons used here and keep a CPU run affordable.
/// </summary>
public sealed class PgdObjective : AdversarialObjective
{
    public PgdObjective(IReadOnlyDictionary<string, double> args) : base(args)
    {
        Steps = PositiveInt(args, "steps", 7);
        StepSize = PositiveReal(args, "step_size", 0.25);
    }

    public override string Name => "pgd";
    public int Steps { get; }

    /// <summary>Step size as a multiple of eps.</summary>
    public double StepSize { get; }

    protected override Tensor Generate(AttackModel model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        var adv = UniformStart(x, Epsilon, step.Generator);
        for (int t = 0; t < Steps; t++)
        {
            using var scope = NewDisposeScope();
            var (gradient, _) = model.Gradient(adv, logits => AttackLoss.CrossEntropy(logits, y));
            adv = ProjectAndClip(x, adv + gradient.sign() * (StepSize * Epsilon), Epsilon).MoveToOuterDisposeScope();
        }
        return adv;
    }
}
