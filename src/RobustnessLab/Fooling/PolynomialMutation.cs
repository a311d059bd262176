using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// Bounded polynomial mutation (Deb and Agrawal 1995; Deb and Goyal 1996), the operator of the fooling-images paper's
/// direct encoding (Nguyen, Yosinski, Clune 2015, arXiv:1412.1897: rate 0.1, "mutation strength" eta = 15). Each gene
/// is chosen with probability <c>rate</c>; a chosen gene x in [lo, hi] moves by a step drawn from a polynomial
/// distribution whose spread shrinks as eta grows and which never leaves [lo, hi]. Vectorised over a whole
/// population tensor.
/// </summary>
public static class PolynomialMutation
{
    /// <summary>A mutated copy of <paramref name="genes"/>; every value stays in [lo, hi].</summary>
    public static Tensor Apply(Tensor genes, double rate, double eta, Generator generator, double lo = 0, double hi = 1)
    {
        if (rate < 0 || rate > 1) throw new ArgumentOutOfRangeException(nameof(rate), rate, "mutation rate must be in [0, 1]");
        if (eta < 0) throw new ArgumentOutOfRangeException(nameof(eta), eta, "eta must be >= 0");
        if (!(hi > lo)) throw new ArgumentException("hi must exceed lo");
        using var scope = NewDisposeScope();
        var x = genes.to(ScalarType.Float32);
        // Draw on the CPU generator and move: the same seed gives the same genes on any device.
        var chosen = rand(genes.shape, generator: generator).lt(rate).to(genes.device);
        var u = rand(genes.shape, generator: generator).to(genes.device);
        double range = hi - lo, power = 1.0 / (eta + 1.0);
        var d1 = (x - lo) / range; // distance to the lower bound, in range units
        var d2 = (hi - x) / range;
        // u < 0.5: move down: deltaq = (2u + (1-2u)(1-d1)^(eta+1))^(1/(eta+1)) - 1 (in [-d1, 0]).
        var down = (u * 2 + (1 - u * 2) * (1 - d1).pow(eta + 1)).pow(power) - 1;
        // u >= 0.5: move up: deltaq = 1 - (2(1-u) + 2(u-0.5)(1-d2)^(eta+1))^(1/(eta+1)) (in [0, d2]).
        var up = 1 - ((1 - u) * 2 + (u - 0.5) * 2 * (1 - d2).pow(eta + 1)).pow(power);
        var delta = where(u.lt(0.5), down, up) * range;
        var mutated = where(chosen, x + delta, x).clamp(lo, hi);
        return mutated.to(genes.dtype).MoveToOuterDisposeScope();
    }
}
