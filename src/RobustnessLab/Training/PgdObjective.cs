using RobustnessLab.Attacks;
using RobustnessLab.Core;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// PGD adversarial training (Madry, Makelov, Schmidt, Tsipras, Vladu 2017, arXiv:1706.06083): minimise the
/// cross-entropy on the final iterate of PGD with a random start, in Linf ("pgd") or L2 ("pgd-l2").
/// <list type="bullet">
/// <item>Linf: steps along sign(grad) from a uniform start in the box. Defaults eps 0.1, steps 7, step_size 0.25 (a
/// multiple of eps), ramp_epochs 0. Madry used 40 steps of 0.01 at eps 0.3 on MNIST; a few steps suffice at the small
/// epsilons used here and keep a CPU run affordable.</item>
/// <item>L2, the threat model of the robust models whose gradients are perceptually aligned (Engstrom et al. 2019,
/// arXiv:1906.00945; Santurkar et al. 2019, arXiv:1906.09453: L2 eps 0.5 on CIFAR, 3.0 on ImageNet): steps along
/// grad / ||grad||_2 from a random start in the ball, projection onto the ball. Defaults eps 1.0 (radius in [0,1]
/// pixel units), steps 3, step_size 0.5, ramp_epochs 2 (a small model trained at its full budget from the first step
/// often collapses to chance).</item>
/// </list>
/// Both clamp to [0,1] and take clean_weight (0). With ramp_epochs > 0 the budget grows linearly from 0 to eps over
/// that many epochs (per step), the warm-up Gowal et al. 2018 (arXiv:1810.12715) and Wong et al. 2020
/// (arXiv:2001.03994) use at large epsilons, where training at the full eps from the first step tends to stall near a
/// constant prediction.
/// </summary>
public sealed class PgdObjective : AdversarialObjective
{
    /// <summary>The Linf objective's settings and defaults (the registry's too).</summary>
    public static IReadOnlyDictionary<string, double> LinfDefaults { get; } =
        new Dictionary<string, double> { ["eps"] = 0.1, ["steps"] = 7, ["step_size"] = 0.25, ["clean_weight"] = 0, ["ramp_epochs"] = 0 };

    /// <summary>The L2 objective's settings and defaults (the registry's too).</summary>
    public static IReadOnlyDictionary<string, double> L2Defaults { get; } =
        new Dictionary<string, double> { ["eps"] = 1.0, ["steps"] = 3, ["step_size"] = 0.5, ["ramp_epochs"] = 2, ["clean_weight"] = 0 };

    /// <summary>Linf PGD training with <paramref name="args"/> over <see cref="LinfDefaults"/>.</summary>
    public PgdObjective(IReadOnlyDictionary<string, double> args) : this(args, Distance.Linf) { }

    /// <summary>PGD training in <paramref name="distance"/> (Linf or L2) with <paramref name="args"/> over its defaults.</summary>
    public PgdObjective(IReadOnlyDictionary<string, double> args, Distance distance)
        : base(WithDefaults(args, distance), distance == Distance.Linf ? 1 : 1000)
    {
        Distance = distance;
        var settings = WithDefaults(args, distance);
        Steps = PositiveInt(settings, "steps", 0);
        StepSize = PositiveReal(settings, "step_size", 0);
        RampEpochs = settings["ramp_epochs"];
        if (!(RampEpochs >= 0) || double.IsInfinity(RampEpochs))
            throw new LabException($"objective setting 'ramp_epochs' must be >= 0, got {RampEpochs}");
    }

    public override string Name => Distance == Distance.Linf ? "pgd" : "pgd-l2";

    /// <summary>The threat model: Linf or L2.</summary>
    public Distance Distance { get; }

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

    private static Dictionary<string, double> WithDefaults(IReadOnlyDictionary<string, double> args, Distance distance)
    {
        if (distance != Distance.Linf && distance != Distance.L2) throw new LabException($"PGD training supports linf and l2, got {distance.Name}");
        var merged = new Dictionary<string, double>(distance == Distance.Linf ? LinfDefaults : L2Defaults);
        foreach (var (k, v) in args) merged[k] = v;
        return merged;
    }

    protected override Tensor Generate(AttackModel model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        double eps = EpsilonAt(step);
        if (eps <= 0) return x.alias();
        // The random start is drawn for the whole batch from the epoch's generator, so splitting the batch below
        // changes nothing but the float rounding of smaller batches.
        var start = Distance == Distance.Linf
            ? UniformStart(x, eps, step.Generator)
            : (x + Distance.L2.RandomInBall(x, Radius(x, eps), step.Generator)).clamp(0, 1);
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

    private static Tensor Radius(Tensor x, double eps) => Distance.PerSample(full(new long[] { x.shape[0] }, eps, device: x.device), x);

    private Tensor Ascend(AttackModel model, Tensor x, Tensor y, Tensor start, double eps)
    {
        using var outer = NewDisposeScope();
        var radius = Distance == Distance.L2 ? Radius(x, eps) : null;
        var adv = start;
        for (int t = 0; t < Steps; t++)
        {
            using var scope = NewDisposeScope();
            var (gradient, _) = model.Gradient(adv, logits => AttackLoss.CrossEntropy(logits, y));
            adv = (radius is null
                ? ProjectAndClip(x, adv + gradient.sign() * (StepSize * eps), eps)
                : (x + Distance.L2.Project(adv + Distance.L2.Direction(gradient) * (StepSize * eps) - x, radius)).clamp(0, 1)).MoveToOuterDisposeScope();
        }
        return adv.MoveToOuterDisposeScope();
    }
}
