using RobustnessLab.Attacks;
using RobustnessLab.Core;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// PGD adversarial training in L2 (Madry et al. 2017, arXiv:1706.06083), the threat model of the robust models whose
/// gradients are perceptually aligned (Engstrom et al. 2019, arXiv:1906.00945; Santurkar et al. 2019,
/// arXiv:1906.09453: L2 eps 0.5 on CIFAR, 3.0 on ImageNet). Steps along grad / ||grad||_2 from a random start in the
/// ball, projection onto the L2 ball around the original input, clamp to [0,1]. Settings: eps (L2 radius in [0,1]
/// pixel units, 1.0), steps (3), step_size as a multiple of eps (0.5), ramp_epochs (2: eps grows linearly from 0 over
/// that many epochs, per step, as in the Linf objective; a small model trained at its full budget from the first step
/// often collapses to chance), clean_weight (0).
/// </summary>
public sealed class PgdL2Objective : AdversarialObjective
{
    public PgdL2Objective(IReadOnlyDictionary<string, double> args) : base(args, maxEpsilon: 1000)
    {
        Steps = PositiveInt(args, "steps", 3);
        StepSize = PositiveReal(args, "step_size", 0.5);
        RampEpochs = args.TryGetValue("ramp_epochs", out var r) ? r : 2;
        if (!(RampEpochs >= 0) || double.IsInfinity(RampEpochs)) throw new LabException($"objective setting 'ramp_epochs' must be >= 0, got {RampEpochs}");
    }

    public override string Name => "pgd-l2";
    public int Steps { get; }

    /// <summary>Step size as a multiple of the (current) eps.</summary>
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
        if (eps <= 0) return x.alias();
        using var scope = NewDisposeScope();
        var radius = full(new long[] { x.shape[0] }, eps, device: x.device);
        var epsT = Distance.PerSample(radius, x);
        var adv = (x + Distance.L2.RandomInBall(x, epsT, step.Generator)).clamp(0, 1);
        for (int t = 0; t < Steps; t++)
        {
            using var inner = NewDisposeScope();
            var (gradient, _) = model.Gradient(adv, logits => AttackLoss.CrossEntropy(logits, y));
            var candidate = adv + Distance.L2.Direction(gradient) * (StepSize * eps);
            adv = (x + Distance.L2.Project(candidate - x, epsT)).clamp(0, 1).MoveToOuterDisposeScope();
        }
        return adv.MoveToOuterDisposeScope();
    }
}
