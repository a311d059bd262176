using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// FAB-T, the targeted Fast Adaptive Boundary attack, Linf (Croce and Hein 2020, "Minimally distorted adversarial
/// examples with a fast adaptive boundary attack", arXiv:1907.02044; the variant AutoAttack's standard version runs,
/// arXiv:2003.01690). A minimisation attack: for a target class t it linearises the decision boundary
/// z_t - z_y = 0 at the current iterate, projects both the iterate and the original input onto that hyperplane
/// intersected with the [0,1] box (smallest Linf step), and moves to a convex combination of the two projections
/// that leans toward the original input by alpha = min(|d_iterate| / (|d_iterate| + |d_original|), alpha_max),
/// extrapolated by eta. Whenever the iterate is adversarial it is kept if it is the closest one so far and then
/// pulled back toward the original input by beta, so the search tracks the boundary while shrinking the norm.
/// <para>
/// Untargeted criterion (as in AutoAttack): one run per target among the <see cref="Targets"/> highest-scoring wrong
/// classes of the clean input; success is any misclassification; the closest adversarial input over all targets is
/// returned. Targeted criterion: one run toward the criterion's target; success is reaching it. At a fixed epsilon
/// (<see cref="MinimizationAttack.MinimizeWithin"/>, used by AutoAttack) a sample already broken within the budget
/// is not attacked again for the next target. Samples the model already gets wrong are returned unchanged.
/// Defaults (AutoAttack standard): 100 steps per target, 9 targets, 1 restart (no random start), alpha_max 0.1,
/// eta 1.05, beta 0.9; restarts beyond the first start at a random point of half the best norm found so far
/// (at most half of <see cref="StartRadius"/>, or of the budget at a fixed epsilon).
/// </para>
/// </summary>
public sealed class FabT : MinimizationAttack
{
    public override string Name => "fab-t";
    public override Distance Distance => Distance.Linf;

    /// <summary>Iterations per target and restart.</summary>
    public int Steps { get; init; } = 100;

    /// <summary>Target classes tried per sample when the criterion is untargeted.</summary>
    public int Targets { get; init; } = 9;

    /// <summary>Runs per target; the first starts at the clean input, the others at a random point.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Largest weight of the original input's projection in the step.</summary>
    public double AlphaMax { get; init; } = 0.1;

    /// <summary>Extrapolation of the projection step (overshoot past the linearised boundary).</summary>
    public double Eta { get; init; } = 1.05;

    /// <summary>Pull-back toward the original input after an adversarial iterate.</summary>
    public double Beta { get; init; } = 0.9;

    /// <summary>Radius bound of the random starts when no budget is given (AutoAttack's Linf default 0.3).</summary>
    public double StartRadius { get; init; } = 0.3;

    public override void Validate()
    {
        Positive("steps", Steps);
        Positive("targets", Targets);
        Positive("restarts", Restarts);
        if (!(AlphaMax >= 0 && AlphaMax <= 1)) throw new LabException($"{Name}: alpha_max must be in [0, 1], got {AlphaMax}");
        if (!(Eta >= 1) || double.IsInfinity(Eta)) throw new LabException($"{Name}: eta must be >= 1 and finite, got {Eta}");
        if (!(Beta > 0 && Beta <= 1)) throw new LabException($"{Name}: beta must be in (0, 1], got {Beta}");
        if (!(StartRadius > 0 && StartRadius <= 1)) throw new LabException($"{Name}: start_radius must be in (0, 1], got {StartRadius}");
    }

    protected internal override Tensor Minimize(AttackModel model, Tensor x, AttackGoal goal, Generator? generator) =>
        Search(model, x, goal, null, generator);

    protected internal override Tensor MinimizeWithin(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return ProjectAndClip(x, Search(model, x, goal, eps, generator), eps).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The closest adversarial inputs found over all targets (the clean input where none was found). With a budget
    /// <paramref name="eps"/> [N,1,1,1], a sample broken within it is skipped for the remaining targets.
    /// </summary>
    private Tensor Search(AttackModel model, Tensor x, AttackGoal goal, Tensor? eps, Generator? generator)
    {
        if (!goal.Targeted && model.NumClasses < 2) throw new LabException($"{Name}: needs at least 2 classes");
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        var best = x.clone();
        var bestNorm = full(new[] { n }, double.PositiveInfinity, dtype: x.dtype, device: x.device);
        var clean = model.Logits(x);
        // Already adversarial: nothing to minimise (norm 0).
        var cleanAdversarial = goal.IsAdversarial(clean);
        bestNorm.masked_fill_(cleanAdversarial, 0);
        var budget = eps?.flatten();

        Tensor[] targetsPerRun;
        if (goal.Targeted) targetsPerRun = [goal.Targets];
        else
        {
            // Wrong classes ranked by the clean logits (AutoAttack: the 2nd to 10th highest of the clean output).
            var ranked = AttackLoss.Exclude(clean, goal.Labels, float.NegativeInfinity).argsort(1, descending: true);
            int count = Math.Min(Targets, model.NumClasses - 1);
            targetsPerRun = Enumerable.Range(0, count).Select(k => ranked[.., k].contiguous()).ToArray();
        }

        foreach (var target in targetsPerRun)
            for (int r = 0; r < Restarts; r++)
            {
                using var run = NewDisposeScope();
                // Minimising: every target runs on every point (the closest crossing over all targets wins). At a
                // budget: only on the points not yet broken within it.
                var open = cleanAdversarial.logical_not();
                if (budget is not null) open = open.logical_and(bestNorm.gt(budget));
                var active = open.nonzero().flatten();
                if (active.numel() == 0) break;
                var xs = x.index_select(0, active);
                var gs = goal.Select(active);
                var ts = target.index_select(0, active);
                var bs = best.index_select(0, active);
                var ns = bestNorm.index_select(0, active);
                Tensor? start = null;
                if (r > 0)
                {
                    var cap = budget?.index_select(0, active) ?? full_like(ns, StartRadius);
                    var radius = Distance.PerSample(minimum(ns, cap) * 0.5, xs);
                    var t = rand(xs.shape, dtype: xs.dtype, generator: generator).to(xs.device) * 2 - 1;
                    var unit = t / Distance.PerSample(Distance.Linf.Measure(t).clamp_min(1e-12), t);
                    start = (xs + radius * unit).clamp(0, 1);
                }
                RunOnce(model, xs, gs, ts, start, bs, ns);
                best.index_copy_(0, active, bs);
                bestNorm.index_copy_(0, active, ns);
            }
        return best.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One FAB run toward <paramref name="target"/>, updating the closest adversarial inputs (best, bestNorm) in place.
    /// </summary>
    private void RunOnce(AttackModel model, Tensor x0, AttackGoal goal, Tensor target, Tensor? start, Tensor best, Tensor bestNorm)
    {
        using var scope = NewDisposeScope();
        long n = x0.shape[0];
        var flat0 = x0.reshape(n, -1);
        var x1 = (start ?? x0).clone();
        var labelIndex = goal.Labels.unsqueeze(1);
        var targetIndex = target.unsqueeze(1);
        for (int step = 0; step < Steps; step++)
        {
            using var iteration = NewDisposeScope();
            model.Cancel.ThrowIfCancellationRequested();
            // Linearise f = z_t - z_y at x1: the boundary is { z : f(x1) + grad . (z - x1) = 0 } = { z : w . z = b }.
            var (gradient, logits) = model.Gradient(x1, l => l.gather(1, targetIndex).squeeze(1) - l.gather(1, labelIndex).squeeze(1));
            var f = (logits.gather(1, targetIndex) - logits.gather(1, labelIndex)).squeeze(1);
            var w = gradient.reshape(n, -1);
            var flat1 = x1.reshape(n, -1);
            var b = (w * flat1).sum(1) - f;
            var d1 = ProjectOntoHyperplaneInBox(flat1, w, b);
            var d2 = ProjectOntoHyperplaneInBox(flat0, w, b);
            var a1 = d1.abs().amax(1).clamp_min(1e-8);
            var a2 = d2.abs().amax(1).clamp_min(1e-8);
            var alpha = Distance.PerSample((a1 / (a1 + a2)).clamp(0, AlphaMax), x0);
            var next = ((x1 + Eta * d1.reshape(x0.shape)) * (1 - alpha) + (x0 + Eta * d2.reshape(x0.shape)) * alpha).clamp(0, 1);
            var adversarial = goal.IsAdversarial(model.Logits(next));
            var norm = Distance.Linf.Measure(next - x0);
            var closer = adversarial.logical_and(norm.lt(bestNorm));
            best.copy_(where(Distance.PerSample(closer, x0), next, best));
            bestNorm.copy_(where(closer, norm, bestNorm));
            // Back off toward the original input after crossing, to look for a closer crossing next.
            var pulled = x0 + (next - x0) * Beta;
            x1.copy_(where(Distance.PerSample(adversarial, x0), pulled, next));
        }
    }

    /// <summary>
    /// The smallest Linf step d with w . (t + d) = b and t + d in [0,1] (per row of t [N, D]); where no point of the
    /// box reaches the hyperplane, the step to the box corner closest to it. The Linf projection of FAB
    /// (Croce and Hein 2020, section 3.1): with budget lambda every coordinate moves min(lambda, room) toward the
    /// hyperplane, so the reachable change of w . z is reach(lambda) = sum |w_i| min(lambda, room_i), piecewise
    /// linear and non-decreasing in lambda with its breakpoints at the rooms. Sorting the rooms gives reach at every
    /// breakpoint from two cumulative sums; the first breakpoint that reaches the hyperplane names the linear piece,
    /// on which lambda is solved exactly. A dozen tensor operations per call (FAB calls it twice per step), where a
    /// bisection took some 180.
    /// </summary>
    public static Tensor ProjectOntoHyperplaneInBox(Tensor t, Tensor w, Tensor b)
    {
        using var scope = NewDisposeScope();
        // c > 0: w . t must fall by c; flip the hyperplane's orientation where t lies on the other side.
        var c = (w * t).sum(1) - b;
        var side = where(c.ge(0), 1.0f, -1.0f).to(w.dtype).unsqueeze(1);
        var ws = w * side;
        c = c.abs();
        var up = ws.lt(0);                                       // these coordinates increase (toward 1), the others decrease
        var room = where(up, 1 - t, t).mul(ws.ne(0).to(t.dtype)); // how far each coordinate can move toward the hyperplane
        var aw = ws.abs();
        var (sortedRoom, order) = room.sort(1);
        var sortedWeight = aw.gather(1, order);
        var total = sortedWeight.sum(1, keepdim: true);
        var reachedBelow = (sortedWeight * sortedRoom).cumsum(1);  // sum over j <= k of |w_j| room_j
        var slopeAbove = total - sortedWeight.cumsum(1);           // sum over j > k of |w_j|
        var reachAt = reachedBelow + sortedRoom * slopeAbove;      // reach(room_k)
        // Breakpoints below c come first (reach is non-decreasing); lambda lies on the piece after the last of them.
        var k = reachAt.lt(c.unsqueeze(1)).sum(1);
        var previous = (k - 1).clamp_min(0).unsqueeze(1);
        var first = k.eq(0);
        var reachedBefore = where(first, zeros_like(c), reachedBelow.gather(1, previous).squeeze(1));
        var slope = where(first, total.squeeze(1), slopeAbove.gather(1, previous).squeeze(1));
        var lambda = ((c - reachedBefore) / slope.clamp_min(1e-20)).clamp_min(0);
        var capacity = reachedBelow[.., -1];
        var feasible = capacity.gt(c).unsqueeze(1);
        var move = where(feasible, minimum(room, lambda.unsqueeze(1)), room);
        var direction = where(up, 1.0f, -1.0f).to(t.dtype).mul(ws.ne(0).to(t.dtype));
        return (move * direction).MoveToOuterDisposeScope();
    }
}
