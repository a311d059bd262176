using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Auto-PGD (Croce and Hein 2020, "Reliable evaluation of adversarial robustness with an ensemble of diverse
/// parameter-free attacks", arXiv:2003.01690, Algorithm 1), Linf: PGD with momentum 0.75 whose step size starts at
/// 2 eps and is halved at checkpoints w_j (p_0 = 0, p_1 = 0.22, p_{j+1} = p_j + max(p_j - p_{j-1} - 0.03, 0.06))
/// when fewer than rho = 75% of the steps since the last checkpoint raised the loss, or when the step size was kept
/// and the best loss did not improve; on a halving the iterate restarts from the best point. The shared body of
/// <see cref="ApgdCe"/> (cross-entropy) and <see cref="ApgdT"/> (targeted DLR). Per-sample worst case kept.
/// </summary>
public abstract class Apgd : FixedEpsilonAttack
{
    /// <summary>Iterations per run (AutoAttack: 100).</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Random restarts (AutoAttack standard: 1 for APGD-CE).</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Fraction of loss-raising steps below which the step size is halved.</summary>
    public double Rho { get; init; } = 0.75;

    public override Distance Distance => Distance.Linf;

    public override AttackMode ModeRun(AttackMode requested) => requested;

    public override void Validate()
    {
        if (Steps <= 0) throw new LabException($"{Name}: steps must be positive, got {Steps}");
        if (Restarts <= 0) throw new LabException($"{Name}: restarts must be positive, got {Restarts}");
        if (!(Rho > 0 && Rho <= 1)) throw new LabException($"{Name}: rho must be in (0, 1], got {Rho}");
    }

    /// <summary>
    /// One APGD run ascending <paramref name="loss"/> (per-sample loss of the logits of the given rows), updating the
    /// per-sample worst case in place: the first successful iterate is kept. With early stopping only the rows not yet
    /// adversarial are evaluated; the step-size schedule and all state are per sample, so a running sample follows the
    /// same trajectory as in a full run.
    /// </summary>
    private protected void RunOnce(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Func<Tensor, Tensor, Tensor> loss, Generator? generator,
        WorstCase best)
    {
        using var scope = NewDisposeScope();
        int n = (int)x.shape[0];
        var checkpoints = Checkpoints(Steps);
        // AutoAttack's start: a random point on the scaled Linf sphere, i.e. x + eps * t / ||t||_inf.
        var t0 = rand(x.shape, dtype: x.dtype, generator: generator).to(x.device) * 2 - 1;
        var adv = ProjectAndClip(x, x + eps * t0 / Distance.PerSample(Distance.Linf.Measure(t0), t0).clamp_min(1e-12), eps);
        var stepSize = eps * 2;
        var gradient = zeros_like(x);
        var lossNow = full(new[] { (long)n }, float.NegativeInfinity, device: x.device);
        var logitsNow = zeros(new[] { (long)n, model.NumClasses }, dtype: x.dtype, device: x.device);
        if (!Evaluate(model, adv, goal, loss, best, gradient, lossNow, logitsNow)) return;
        var xMax = adv.clone();
        var gradMax = gradient.clone();
        var lossMax = lossNow.clone();
        var logitsMax = logitsNow.clone();
        var lossPrevious = lossNow.clone();
        var previous = adv.clone();
        var increases = zeros(new[] { (long)n }, device: x.device);
        var reducedLastCheck = ones(new[] { (long)n }, dtype: ScalarType.Bool, device: x.device);
        var lossMaxLastCheck = lossMax.clone();
        int lastCheckpoint = 0, nextCheckpoint = 1;
        for (int k = 0; k < Steps; k++)
        {
            using var step = NewDisposeScope();
            model.Cancel.ThrowIfCancellationRequested();
            double a = k == 0 ? 1.0 : 0.75;
            var z = ProjectAndClip(x, adv + stepSize * gradient.sign(), eps);
            var next = ProjectAndClip(x, adv + (z - adv) * a + (adv - previous) * (1 - a), eps);
            previous.copy_(adv);
            adv.copy_(next);
            // Rows not evaluated (finished) keep their previous loss, which never beats their best: no update for them.
            var value = lossPrevious.clone();
            if (!Evaluate(model, adv, goal, loss, best, gradient, value, logitsNow)) break;
            increases.add_(value.gt(lossPrevious).to(increases.dtype));
            lossPrevious.copy_(value);
            var improved = value.gt(lossMax);
            var improvedX = Distance.PerSample(improved, x);
            xMax.copy_(where(improvedX, adv, xMax));
            gradMax.copy_(where(improvedX, gradient, gradMax));
            lossMax.copy_(where(improved, value, lossMax));
            logitsMax.copy_(where(improved.unsqueeze(1), logitsNow, logitsMax));
            if (nextCheckpoint < checkpoints.Length && k + 1 == checkpoints[nextCheckpoint])
            {
                int window = checkpoints[nextCheckpoint] - lastCheckpoint;
                var oscillating = increases.lt(Rho * window);
                var stalled = reducedLastCheck.logical_not().logical_and(lossMaxLastCheck.ge(lossMax));
                var reduce = oscillating.logical_or(stalled);
                reducedLastCheck.copy_(reduce);
                lossMaxLastCheck.copy_(lossMax);
                var reduceX = Distance.PerSample(reduce, x);
                stepSize.copy_(where(reduceX, stepSize / 2, stepSize));
                adv.copy_(where(reduceX, xMax, adv));
                gradient.copy_(where(reduceX, gradMax, gradient));
                // A restart from x_max has no meaningful previous iterate: no momentum on the next step.
                previous.copy_(where(reduceX, xMax, previous));
                increases.zero_();
                lastCheckpoint = checkpoints[nextCheckpoint];
                nextCheckpoint++;
            }
        }
        // Samples never broken return their highest-loss point, so norms are measured on a real attempt.
        var failed = best.Success.logical_not();
        if (goal.EarlyStop && goal.Done is { } done) failed = failed.logical_and(done.logical_not());
        best.Example.copy_(where(Distance.PerSample(failed, x), xMax, best.Example));
        best.Logits.copy_(where(failed.unsqueeze(1), logitsMax, best.Logits));
    }

    /// <summary>
    /// Loss, gradient and logits at <paramref name="adv"/> for the running rows, written into the full-batch tensors
    /// (gradient rows of finished samples are zero); keeps first successes. False when no row is running.
    /// </summary>
    private static bool Evaluate(AttackModel model, Tensor adv, AttackGoal goal, Func<Tensor, Tensor, Tensor> loss, WorstCase best,
        Tensor gradient, Tensor value, Tensor logits)
    {
        using var scope = NewDisposeScope();
        var rows = best.Running(goal);
        if (rows.numel() == 0) return false;
        var input = adv.index_select(0, rows);
        var (grads, l, values) = model.Gradients(input, output => [loss(output, rows)]);
        var success = goal.Select(rows).IsAdversarial(l);
        // First success wins (no loss comparison among successful iterates): a successful row gets +inf loss in the
        // worst-case record only where it is newly successful.
        best.Keep(rows, input, l, success, where(success, float.PositiveInfinity, float.NegativeInfinity));
        if (rows.shape[0] != adv.shape[0]) gradient.zero_();
        gradient.index_copy_(0, rows, grads[0]);
        value.index_copy_(0, rows, values[0]);
        logits.index_copy_(0, rows, l);
        return true;
    }

    /// <summary>Checkpoint iterations ceil(p_j * steps) of Algorithm 1.</summary>
    public static int[] Checkpoints(int steps)
    {
        var p = new List<double> { 0, 0.22 };
        while (p[^1] < 1) p.Add(p[^1] + Math.Max(p[^1] - p[^2] - 0.03, 0.06));
        return p.Where(v => v <= 1).Select(v => (int)Math.Ceiling(v * steps)).Distinct().ToArray();
    }
}
