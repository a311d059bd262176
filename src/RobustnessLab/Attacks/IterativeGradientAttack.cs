using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Iterated gradient steps projected onto the epsilon ball (the shared body of BIM, PGD and MI-FGSM). The hooks
/// are the ones Foolbox 3 keeps apart: the norm's steepest direction and projection (<see cref="Attack.Distance"/>),
/// the random start, the step size and momentum. Every step projects around the ORIGINAL input and clamps to
/// [0,1], the random start included (a start outside [0,1] would attack images that cannot exist). Each sample keeps
/// its worst case across steps and restarts: a successful iterate beats an unsuccessful one, then the higher loss wins
/// (as in Madry et al.'s and AutoAttack's reference code), so more steps or restarts never lower the success rate for
/// a fixed step size and seed.
/// </summary>
public abstract class IterativeGradientAttack : FixedEpsilonAttack
{
    /// <summary>Gradient steps per restart.</summary>
    public int Steps { get; init; } = 20;

    /// <summary>Step size as a multiple of epsilon (used when <see cref="StepSize"/> is null).</summary>
    public double RelativeStepSize { get; init; } = 0.125;

    /// <summary>Absolute step size in pixel units; overrides <see cref="RelativeStepSize"/>.</summary>
    public double? StepSize { get; init; }

    /// <summary>Start from a uniform point in the ball instead of the clean input.</summary>
    public bool RandomStart { get; init; } = true;

    /// <summary>Independent runs; each sample keeps the best.</summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Momentum decay mu (Dong 2018); 0 for plain projected gradient ascent.</summary>
    protected virtual double Momentum => 0;

    public override void Validate()
    {
        if (Steps <= 0) throw new LabException($"{Name}: steps must be positive, got {Steps}");
        if (Restarts <= 0) throw new LabException($"{Name}: restarts must be positive, got {Restarts}");
        if (StepSize is { } a && !(a > 0)) throw new LabException($"{Name}: step size must be positive, got {a}");
        if (!(RelativeStepSize > 0 && RelativeStepSize <= 1))
            throw new LabException($"{Name}: step_size is a fraction of eps per step (0.25 = eps/4) and must be in (0, 1], got {RelativeStepSize}; " +
                                   "for an absolute step in pixel units set alpha");
    }

    public override AttackMode ModeRun(AttackMode requested) => requested;

    /// <summary>The per-sample loss ascended (cross-entropy toward the goal by default).</summary>
    protected virtual Tensor Loss(Tensor logits, AttackGoal goal) => AttackLoss.CrossEntropy(logits, goal);

    protected internal override Tensor Perturb(AttackModel model, Tensor x, AttackGoal goal, Tensor eps, Generator? generator)
    {
        using var scope = NewDisposeScope();
        return PerturbWithLogits(model, x, goal, eps, generator).Adversarial.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The attack proper. With early stopping, each step evaluates the model only on the samples not yet adversarial
    /// (and not done before the attack): the others have their first adversarial iterate kept. The update arithmetic
    /// and the random draws still cover the whole batch, so a running sample follows exactly the trajectory it
    /// follows in the loss-maximising mode.
    /// </summary>
    protected internal override (Tensor Adversarial, Tensor Logits) PerturbWithLogits(AttackModel model, Tensor x, AttackGoal goal, Tensor eps,
        Generator? generator)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        var alpha = StepSize is { } a ? full_like(eps, a) : eps * RelativeStepSize;
        var best = new WorstCase(x, model.NumClasses);
        for (int r = 0; r < Restarts; r++)
        {
            var adv = RandomStart ? ProjectAndClip(x, x + Distance.RandomInBall(x, eps, generator), eps) : x.clone();
            var velocity = zeros_like(x);
            for (int t = 0; t <= Steps; t++)
            {
                using var step = NewDisposeScope();
                model.Cancel.ThrowIfCancellationRequested();
                var rows = best.Running(goal);
                if (rows.numel() == 0) break;
                var input = adv.index_select(0, rows);
                var sub = goal.Select(rows);
                Tensor logits, gradient = null!;
                if (t < Steps)
                    (gradient, logits) = model.Gradient(input, l => Loss(l, sub));
                else
                    logits = model.Logits(input); // the last iterate is checked too
                best.Keep(rows, input, logits, sub.IsAdversarial(logits), Loss(logits, sub));
                if (t == Steps) break;
                var direction = rows.shape[0] == n ? gradient : zeros_like(x).index_copy_(0, rows, gradient);
                if (Momentum > 0)
                {
                    // g_{t+1} = mu * g_t + grad / ||grad||_1 (Dong et al. 2018, eq. 6).
                    var l1 = Distance.PerSample(direction.flatten(1).abs().mean(new long[] { 1 }), direction).clamp_min(1e-12);
                    velocity.mul_(Momentum).add_(direction / l1);
                    direction = velocity;
                }
                var next = ProjectAndClip(x, adv + alpha * Distance.Direction(direction), eps);
                adv.copy_(next);
            }
        }
        return (best.Example.MoveToOuterDisposeScope(), best.Logits.MoveToOuterDisposeScope());
    }
}
