using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// A norm on perturbations: how to measure them and, for the norms attacks are bounded in (Linf, L2), how to
/// project onto the epsilon ball and which unit-norm direction is steepest (Foolbox 3's distances). Epsilons are
/// in [0,1] pixel units and given per sample as a tensor [N, 1, 1, 1] so one code path serves fixed-epsilon runs
/// and per-sample bisection.
/// </summary>
public abstract class Distance
{
    public static Distance Linf { get; } = new LinfDistance();
    public static Distance L2 { get; } = new L2Distance();
    /// <summary>Number of changed input elements; for measuring only.</summary>
    public static Distance L0 { get; } = new L0Distance();

    public static IReadOnlyList<Distance> All { get; } = [Linf, L2, L0];

    /// <summary>"linf", "l2" or "l0".</summary>
    public abstract string Name { get; }

    /// <summary>Largest epsilon that makes sense for [0,1] inputs of this many elements (Linf: 1).</summary>
    public abstract double MaxEpsilon(long elementsPerSample);

    public static Distance Parse(string name) =>
        All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.OrdinalIgnoreCase))
        ?? throw new LabException($"unknown norm '{name}'; valid: {string.Join(", ", All.Select(d => d.Name))}");

    /// <summary>Per-sample norm of a perturbation [N, ...] as a float tensor [N].</summary>
    public abstract Tensor Measure(Tensor delta);

    /// <summary>The perturbation projected onto the ball of radius eps (per sample, [N,1,1,1]).</summary>
    public abstract Tensor Project(Tensor delta, Tensor eps);

    /// <summary>The steepest-ascent direction of unit norm for a gradient (Linf: sign; L2: g / ||g||).</summary>
    public abstract Tensor Direction(Tensor gradient);

    /// <summary>A point drawn uniformly from the ball of radius eps, shaped like <paramref name="like"/>.</summary>
    public abstract Tensor RandomInBall(Tensor like, Tensor eps, Generator? generator);

    public override string ToString() => Name;

    /// <summary>Reshapes a per-sample vector [N] to [N, 1, 1, 1] (matching an input's rank) for broadcasting.</summary>
    public static Tensor PerSample(Tensor values, Tensor like)
    {
        var shape = new long[like.dim()];
        Array.Fill(shape, 1L);
        shape[0] = values.shape[0];
        return values.reshape(shape);
    }

    private sealed class LinfDistance : Distance
    {
        public override string Name => "linf";
        public override double MaxEpsilon(long elementsPerSample) => 1.0;
        public override Tensor Measure(Tensor delta) => delta.flatten(1).abs().amax(1);
        public override Tensor Project(Tensor delta, Tensor eps) => minimum(maximum(delta, -eps), eps);
        public override Tensor Direction(Tensor gradient) => gradient.sign();

        public override Tensor RandomInBall(Tensor like, Tensor eps, Generator? generator)
        {
            using var scope = NewDisposeScope();
            var u = rand(like.shape, dtype: like.dtype, generator: generator).to(like.device);
            return ((u * 2 - 1) * eps).MoveToOuterDisposeScope();
        }
    }

    private sealed class L2Distance : Distance
    {
        public override string Name => "l2";
        public override double MaxEpsilon(long elementsPerSample) => Math.Sqrt(elementsPerSample);
        public override Tensor Measure(Tensor delta) => delta.flatten(1).square().sum(1).sqrt();

        public override Tensor Project(Tensor delta, Tensor eps)
        {
            using var scope = NewDisposeScope();
            var norm = PerSample(Measure(delta), delta);
            var factor = minimum(ones_like(norm), eps / norm.clamp_min(1e-12));
            return (delta * factor).MoveToOuterDisposeScope();
        }

        public override Tensor Direction(Tensor gradient)
        {
            using var scope = NewDisposeScope();
            var norm = PerSample(Measure(gradient), gradient).clamp_min(1e-12);
            return (gradient / norm).MoveToOuterDisposeScope();
        }

        /// <summary>Uniform in the L2 ball: a Gaussian direction and radius eps * u^(1/d) (as Foolbox does).</summary>
        public override Tensor RandomInBall(Tensor like, Tensor eps, Generator? generator)
        {
            using var scope = NewDisposeScope();
            long d = like[0].numel();
            var g = randn(like.shape, dtype: like.dtype, generator: generator).to(like.device);
            var u = rand(new[] { like.shape[0] }, dtype: like.dtype, generator: generator).to(like.device);
            var radius = PerSample(u.pow(1.0 / d), like) * eps;
            return (Direction(g) * radius).MoveToOuterDisposeScope();
        }
    }

    private sealed class L0Distance : Distance
    {
        public override string Name => "l0";
        public override double MaxEpsilon(long elementsPerSample) => elementsPerSample;

        // Changes below 1e-6 are float rounding (e.g. x + eps - eps), not perturbations.
        public override Tensor Measure(Tensor delta) => delta.flatten(1).abs().gt(1e-6).sum(1).to(ScalarType.Float32);

        public override Tensor Project(Tensor delta, Tensor eps) => throw new LabException("the L0 distance is for measuring only; attacks are bounded in linf or l2");
        public override Tensor Direction(Tensor gradient) => throw new LabException("the L0 distance is for measuring only; attacks are bounded in linf or l2");
        public override Tensor RandomInBall(Tensor like, Tensor eps, Generator? generator) => throw new LabException("the L0 distance is for measuring only");
    }
}
