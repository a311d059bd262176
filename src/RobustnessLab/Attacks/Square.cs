using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Square attack, Linf (Andriushchenko, Croce, Flammarion, Hein 2020, "Square Attack: a query-efficient black-box
/// adversarial attack via random search", arXiv:1912.00049): score-based, no gradients. Starts from vertical
/// stripes of +-eps, then each iteration proposes a square window (side from the p schedule) with a random +-2eps
/// per-channel shift, projected onto the ball and [0,1], and keeps it where the margin loss
/// (<see cref="AttackLoss.Margin"/>) drops. A sample stops as soon as it is misclassified; forward passes are
/// counted per sample as queries. Defaults: 5000 queries and p_init 0.8 (AutoAttack standard).
/// </summary>
public sealed class Square : FixedEpsilonAttack
{
    public override string Name => "square";
    public override Distance Distance => Distance.Linf;
    public override bool UsesGradients => false;

    /// <summary>Query budget per sample.</summary>
    public int Queries { get; init; } = 5000;

    /// <summary>Initial fraction of pixels changed per proposal.</summary>
    public double PInit { get; init; } = 0.8;

    /// <summary>Independent runs (each sample keeps its first success).</summary>
    public int Restarts { get; init; } = 1;

    public override void Validate()
    {
        if (Queries <= 0) throw new LabException($"{Name}: queries must be positive, got {Queries}");
        if (Restarts <= 0) throw new LabException($"{Name}: restarts must be positive, got {Restarts}");
        if (!(PInit > 0 && PInit <= 1)) throw new LabException($"{Name}: p_init must be in (0, 1], got {PInit}");
    }

    /// <summary>Square stops every sample at its first success whatever the caller asks: that is the algorithm.</summary>
    public override AttackMode ModeRun(AttackMode requested) => AttackMode.EarlyStop;

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return PerturbWithLogits(model, x, goal, eps, generator).Adversarial.MoveToOuterDisposeScope();
    }

    protected internal override (Tensor Adversarial, Tensor Logits) PerturbWithLogits(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator)
    {
        using var scope = NewDisposeScope();
        var best = x.clone();
        var logits = zeros(new[] { x.shape[0], model.NumClasses }, dtype: x.dtype, device: x.device);
        // Samples done before the attack (a nested epsilon grid) count as finished.
        var bestSuccess = goal.EarlyStop && goal.Done is { } done ? done.clone() : zeros(new[] { x.shape[0] }, dtype: ScalarType.Bool, device: x.device);
        for (int r = 0; r < Restarts; r++)
        {
            using var restart = NewDisposeScope();
            var remaining = bestSuccess.logical_not().nonzero().flatten();
            if (remaining.numel() == 0) break;
            var (adv, advLogits, success) = RunOnce(model, x.index_select(0, remaining), goal.Select(remaining), eps.index_select(0, remaining), generator);
            // Samples broken in this run keep their example; the others hold their lowest-margin point until a
            // later run replaces it.
            best.index_copy_(0, remaining, adv);
            logits.index_copy_(0, remaining, advLogits);
            bestSuccess.index_copy_(0, remaining, success);
        }
        return (best.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope());
    }

    private (Tensor Adversarial, Tensor Logits, Tensor Success) RunOnce(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0], c = x.shape[1], h = x.shape[2], w = x.shape[3];
        var random = new Random((int)(randint(0, int.MaxValue, new[] { 1L }, generator: generator).item<long>()));
        // Vertical stripes: one +-eps per (sample, channel, column).
        var stripes = (randint(0, 2, new[] { n, c, 1, w }, generator: generator).to(x.dtype).to(x.device) * 2 - 1) * eps;
        var current = (x + stripes).clamp(0, 1);
        var margin = AttackLoss.Margin(model.Logits(current), goal);
        for (int i = 1; i < Queries; i++)
        {
            using var step = NewDisposeScope();
            model.Cancel.ThrowIfCancellationRequested();
            var active = margin.gt(0).nonzero().flatten();
            if (active.numel() == 0) break;
            var xa = x.index_select(0, active);
            var ca = current.index_select(0, active);
            var ea = eps.index_select(0, active);
            double p = PSchedule(PInit, i, Queries);
            int s = (int)Math.Max(Math.Round(Math.Sqrt(p * h * w)), 1);
            s = (int)Math.Min(s, h - 1);
            int top = random.Next(0, (int)(h - s) + 1), left = random.Next(0, (int)(w - s) + 1);
            var signs = (randint(0, 2, new[] { active.shape[0], c, 1, 1 }, generator: generator).to(x.dtype).to(x.device) * 2 - 1) * ea * 2;
            var window = zeros_like(ca);
            window[.., .., top..(top + s), left..(left + s)] = ones(new[] { 1L, 1, s, s }, dtype: x.dtype, device: x.device);
            var proposal = ProjectAndClip(xa, ca + window * signs, ea);
            var proposed = AttackLoss.Margin(model.Logits(proposal), goal.Select(active));
            var old = margin.index_select(0, active);
            var accept = proposed.lt(old);
            current.index_copy_(0, active, where(Distance.PerSample(accept, proposal), proposal, ca));
            margin.index_copy_(0, active, where(accept, proposed, old));
        }
        Tensor logits;
        using (no_grad()) logits = model.Model.call(current); // bookkeeping, not a query
        var success = goal.IsAdversarial(logits);
        return (current.MoveToOuterDisposeScope(), logits.MoveToOuterDisposeScope(), success.MoveToOuterDisposeScope());
    }

    /// <summary>Fraction of pixels to change at iteration i, halving at fixed points of a 10,000-query run (Andriushchenko 2020, sec. 3).</summary>
    public static double PSchedule(double pInit, int iteration, int budget)
    {
        int i = (int)(iteration / (double)budget * 10000);
        int[] bounds = [10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000];
        double p = pInit;
        foreach (var b in bounds)
        {
            if (i <= b) return p;
            p /= 2;
        }
        return p;
    }
}
