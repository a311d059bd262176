using RobustnessLab.Attacks;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// PGD adversarial training (Madry, Makelov, Schmidt, Tsipras, Vladu 2017, arXiv:1706.06083): minimise the
/// cross-entropy on the final iterate of Linf PGD with a random start. Settings: eps (0.1), steps (7), step_size
/// as a multiple of eps (0.25), clean_weight (0), ramp_epochs (0). Madry used 40 steps of 0.01 at eps 0.3 on MNIST; a
/// few steps suffice at the small epsilons used here and keep a CPU run affordable. With ramp_epochs > 0 the budget
/// grows linearly from 0 to eps over that many epochs (per step), the warm-up Gowal et al. 2018 (arXiv:1810.12715) and
/// Wong et al. 2020 (arXiv:2001.03994) use at large epsilons, where training at the full eps from the first step
/// tends to stall near a constant prediction.
/// </summary>
public sealed class PgdObjective : AdversarialObjective
{
    public PgdObjective(IReadOnlyDictionary<string, double> args) : base(args)
    {
        Steps = PositiveInt(args, "steps", 7);
        StepSize = PositiveReal(args, "step_size", 0.25);
        RampEpochs = args.TryGetValue("ramp_epochs", out var r) ? r : 0;
        if (!(RampEpochs >= 0) || double.IsInfinity(RampEpochs))
            throw new Core.LabException($"objective setting 'ramp_epochs' must be >= 0, got {RampEpochs}");
    }

    public override string Name => "pgd";
    public int Steps { get; }

    /// <summary>Step size as a multiple of eps.</summary>
    public double StepSize { get; }

    /// <summary>Epochs over which eps grows linearly from 0 (0: full eps from the first step).</summary>
    public double RampEpochs { get; }

    /// <summary>The budget used at a training step: eps, or its linear warm-up.</summary>
    public double EpsilonAt(TrainingStepInfo step)
    {
        if (RampEpochs <= 0) return Epsilon;
        double done = step.Epoch + (step.Step + 1.0) / step.StepsPerEpoch;
        return Epsilon * Math.Min(1.0, done / RampEpochs);
    }

    protected override Tensor Generate(AttackModel model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        double eps = EpsilonAt(step);
        var adv = UniformStart(x, eps, step.Generator);
        for (int t = 0; t < Steps; t++)
        {
            using var scope = NewDisposeScope();
            var (gradient, _) = model.Gradient(adv, logits => AttackLoss.CrossEntropy(logits, y));
            adv = ProjectAndClip(x, adv + gradient.sign() * (StepSize * eps), eps).MoveToOuterDisposeScope();
        }
        return adv;
    }
}
