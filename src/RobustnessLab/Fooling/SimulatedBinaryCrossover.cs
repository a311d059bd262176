using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// Bounded simulated binary crossover (SBX; Deb and Agrawal 1995), the crossover of the fooling paper's released
/// code (sferes2 EvoFloat: cross rate 0.5, eta_c 10 for the direct encoding). For each gene pair (x1, x2) the child
/// gene is spread around the parents' mean by a factor drawn from a polynomial distribution that stays inside
/// [lo, hi]; larger eta keeps children closer to their parents. Vectorised over whole populations.
/// </summary>
public static class SimulatedBinaryCrossover
{
    /// <summary>One child per row: SBX of <paramref name="a"/> and <paramref name="b"/> gene by gene (each gene crossed with probability 0.5, as sferes2 does).</summary>
    public static Tensor Apply(Tensor a, Tensor b, double eta, Generator generator, double lo = 0, double hi = 1)
    {
        using var scope = NewDisposeScope();
        var x1 = minimum(a, b);
        var x2 = maximum(a, b);
        var diff = (x2 - x1).clamp_min(1e-12);
        var u = rand(a.shape, generator: generator).to(a.device);
        var pick = rand(a.shape, generator: generator).to(a.device);
        var cross = rand(a.shape, generator: generator).to(a.device).lt(0.5).logical_and((x2 - x1).gt(1e-9));
        double p = 1.0 / (eta + 1);
        Tensor BetaQ(Tensor beta)
        {
            var alpha = 2 - beta.pow(-(eta + 1));
            var low = (u * alpha).pow(p);
            var high = (1 / (2 - u * alpha)).pow(p);
            return where(u.le(1 / alpha), low, high);
        }
        var c1 = ((x1 + x2) - BetaQ(1 + (x1 - lo) * 2 / diff) * diff) * 0.5;
        var c2 = ((x1 + x2) + BetaQ(1 + (hi - x2) * 2 / diff) * diff) * 0.5;
        var child = where(pick.lt(0.5), c1, c2).clamp(lo, hi);
        return where(cross, child, a).MoveToOuterDisposeScope();
    }
}
