using RobustnessLab.Attacks;
using RobustnessLab.Core;
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
        // The random start is drawn for the whole batch from the epoch's generator, so splitting the batch below
        // changes nothing but the float rounding of smaller batches.
        double eps = EpsilonAt(step);
        var start = UniformStart(x, eps, step.Generator);
        long n = x.shape[0];
        int parts = (int)Math.Min(step.Workers, n);
        if (parts <= 1) return Ascend(model, x, y, start, eps);
        // Small convolutions scale poorly across libtorch's intra-op threads: each worker ascends a slice of the batch
        // with one thread of its own (measured by `lab bench --only pgd-at`).
        var pieces = SampleWorkers.Run(parts, parts, get_num_threads(), i =>
        {
            using var scope = NewDisposeScope();
            long lo = n * i / parts, len = n * (i + 1) / parts - lo;
            return Ascend(new AttackModel(model.Model, model.Cancel), x.narrow(0, lo, len), y.narrow(0, lo, len), start.narrow(0, lo, len), eps)
                .MoveToOuterDisposeScope();
        });
        try { return cat(pieces, 0); }
        finally { foreach (var p in pieces) p.Dispose(); }
    }

    private Tensor Ascend(AttackModel model, Tensor x, Tensor y, Tensor start, double eps)
    {
        var adv = start;
        for (int t = 0; t < Steps; t++)
        {
            using var scope = NewDisposeScope();
            var (gradient, _) = model.Gradient(adv, logits => AttackLoss.CrossEntropy(logits, y));
            adv = ProjectAndClip(x, adv + gradient.sign() * (StepSize * eps), eps).MoveToOuterDisposeScope();
        }
        return adv;
    }
}
