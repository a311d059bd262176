using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Evaluation;

/// <summary>
/// Per-sample minimal epsilon of a fixed-epsilon attack by bisection on [0, max]: success at max first, then
/// halve the interval toward success. Each probe reuses the same seed so random starts do not make the search
/// wander. Samples already misclassified get 0; samples not broken at max get +infinity.
/// </summary>
public static class MinimalEpsilon
{
    /// <summary>Minimal epsilons for one batch (resolution max / 2^steps).</summary>
    public static double[] Search(Classifier model, FixedEpsilonAttack attack, Tensor x, Tensor labels, double max, int steps,
        Criterion? criterion = null, int seed = 0, CancellationToken cancel = default)
    {
        criterion ??= Criterion.Untargeted;
        if (!(max > 0)) throw new LabException($"minimal epsilon: the upper bound must be positive, got {max}");
        if (steps <= 0) throw new LabException($"minimal epsilon: bisection steps must be positive, got {steps}");
        attack.CheckEpsilon(max, x);
        int n = (int)x.shape[0];
        var lo = new double[n];
        var hi = Enumerable.Repeat(max, n).ToArray();
        var atMax = Succeeds(model, attack, x, labels, hi, criterion, seed, cancel);
        var atZero = Succeeds(model, attack, x, labels, new double[n], criterion, seed, cancel);
        for (int s = 0; s < steps; s++)
        {
            cancel.ThrowIfCancellationRequested();
            var mid = lo.Zip(hi, (a, b) => (a + b) / 2).ToArray();
            var ok = Succeeds(model, attack, x, labels, mid, criterion, seed, cancel);
            for (int i = 0; i < n; i++)
                if (ok[i]) hi[i] = mid[i]; else lo[i] = mid[i];
        }
        var result = new double[n];
        for (int i = 0; i < n; i++)
            result[i] = atZero[i] ? 0 : atMax[i] ? hi[i] : double.PositiveInfinity;
        return result;
    }

    private static bool[] Succeeds(Classifier model, FixedEpsilonAttack attack, Tensor x, Tensor labels, double[] eps, Criterion criterion, int seed,
        CancellationToken cancel)
    {
        using var scope = NewDisposeScope();
        using var generator = new Generator(LabContext.DeriveSeed(seed, 0xB15EC7), CPU);
        var epsTensor = tensor(eps.Select(e => (float)e).ToArray(), device: x.device);
        var adv = attack.Generate(model, x, labels, epsTensor, criterion, generator, cancel);
        Tensor targets;
        using (no_grad())
        {
            // Targets are resolved again exactly as the attack did (same seed) so success is judged against them.
            using var g2 = new Generator(LabContext.DeriveSeed(seed, 0xB15EC7), CPU);
            var clean = model.Predict(x);
            targets = criterion.IsTargeted ? criterion.ResolveTargets(labels, clean, g2) : labels.alias();
            var logits = model.Predict(adv);
            return criterion.IsAdversarial(logits, labels, targets).cpu().data<bool>().ToArray();
        }
    }
}
