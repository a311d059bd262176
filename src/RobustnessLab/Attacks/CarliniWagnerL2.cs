using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Carlini-Wagner L2 (Carlini and Wagner 2017, "Towards Evaluating the Robustness of Neural Networks",
/// arXiv:1608.04644): in tanh space x' = (tanh(w) + 1) / 2 (always in [0,1]), minimise
/// ||x' - x||_2^2 + c * max(margin(x'), -kappa) with Adam, and binary-search the constant c per sample (x10
/// until a success, then bisect). Keeps the smallest successful perturbation. Untargeted or targeted (margin toward
/// the target). Defaults: 5 search steps, 100 Adam steps of 0.01, c starting at 1, kappa 0 (the paper used 9
/// search steps and up to 10,000 iterations; raise them for a final evaluation).
/// </summary>
public sealed class CarliniWagnerL2 : MinimizationAttack
{
    public override string Name => "cw";
    public override Distance Distance => Distance.L2;

    public int BinarySearchSteps { get; init; } = 5;
    public int Steps { get; init; } = 100;
    public double LearningRate { get; init; } = 0.01;
    public double InitialConstant { get; init; } = 1.0;
    public double Confidence { get; init; }

    public override void Validate()
    {
        Positive("binary search steps", BinarySearchSteps);
        Positive("steps", Steps);
        if (!(LearningRate > 0)) throw new LabException($"{Name}: learning rate must be positive, got {LearningRate}");
        if (!(InitialConstant > 0)) throw new LabException($"{Name}: initial constant must be positive, got {InitialConstant}");
        if (Confidence < 0) throw new LabException($"{Name}: confidence (kappa) must be >= 0, got {Confidence}");
    }

    protected internal override Tensor Minimize(AttackModel model, Tensor x, AttackGoal goal, Generator? generator)
    {
        using var scope = NewDisposeScope();
        long n = x.shape[0];
        var w0 = (x * 2 - 1).clamp(-1 + 1e-6, 1 - 1e-6).atanh();
        var c = full(new[] { n }, InitialConstant, dtype: x.dtype, device: x.device);
        var lo = zeros_like(c);
        var hi = full_like(c, double.PositiveInfinity);
        var best = x.clone();
        var bestNorm = full_like(c, double.PositiveInfinity);
        for (int b = 0; b < BinarySearchSteps; b++)
        {
            using var round = NewDisposeScope();
            var w = w0.clone();
            // Adam (Kingma and Ba 2014) on w, stepped with autograd.grad's gradients: attacks never call backward().
            using var adam = new InputAdam([w], LearningRate);
            var found = zeros(new[] { n }, dtype: ScalarType.Bool, device: x.device);
            for (int t = 1; t <= Steps; t++)
            {
                using var step = NewDisposeScope();
                model.Cancel.ThrowIfCancellationRequested();
                var (g, logits, _) = model.Gradient(w, ww => (ww.tanh() + 1) * 0.5, (input, l) =>
                    (input - x).flatten(1).square().sum(1) + c * AttackLoss.Margin(l, goal).clamp_min(-Confidence));
                using (no_grad())
                {
                    // Bookkeeping on the iterate the gradient was taken at.
                    var current = (w.tanh() + 1) * 0.5;
                    var norm = Distance.L2.Measure(current - x);
                    var success = goal.IsAdversarial(logits);
                    var better = success.logical_and(norm.lt(bestNorm));
                    best.copy_(where(Distance.PerSample(better, x), current, best));
                    bestNorm.copy_(where(better, norm, bestNorm));
                    found.logical_or_(success);
                    adam.Step([g]);
                }
            }
            // Binary search on c: success -> smaller c; failure -> larger (x10 until the first success).
            hi.copy_(where(found, minimum(hi, c), hi));
            lo.copy_(where(found, lo, maximum(lo, c)));
            var bisect = (lo + hi) / 2;
            c.copy_(where(hi.isinf(), c * 10, bisect));
        }
        return best.MoveToOuterDisposeScope();
    }
}
