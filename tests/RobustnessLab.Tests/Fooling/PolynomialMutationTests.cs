using RobustnessLab.Fooling;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Fooling;

public class PolynomialMutationTests
{
    [TestCase(0.0)]
    [TestCase(1.0)]
    [TestCase(15.0)]
    [TestCase(100.0)]
    public void MutationKeepsPixelsInRangeIncludingAtTheBounds(double eta)
    {
        FoolingTestModels.OneThread();
        using var g = new Generator(1, CPU);
        using var scope = NewDisposeScope();
        // A third of the genes sit exactly on a bound, where an unbounded operator would step outside.
        var x = cat([zeros(20000), ones(20000), rand(20000, generator: g)]);
        var y = x;
        for (int i = 0; i < 20; i++) y = PolynomialMutation.Apply(y, 1.0, eta, g);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(y.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
            Assert.That(y.max().item<float>(), Is.LessThanOrEqualTo(1f));
            Assert.That(y.isnan().any().item<bool>(), Is.False);
            Assert.That(y.ne(x).to(ScalarType.Float32).mean().item<float>(), Is.GreaterThan(0.5f), "rate 1 mutates (nearly) every gene");
        }
    }

    [Test]
    public void RateSetsTheShareOfMutatedGenes()
    {
        FoolingTestModels.OneThread();
        using var g = new Generator(2, CPU);
        using var scope = NewDisposeScope();
        var x = rand(200000, generator: g);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(PolynomialMutation.Apply(x, 0.0, 15, g).eq(x).all().item<bool>(), Is.True, "rate 0 changes nothing");
            double share = PolynomialMutation.Apply(x, 0.1, 15, g).ne(x).to(ScalarType.Float64).mean().item<double>();
            // Binomial(200000, 0.1): standard deviation 0.00067; a chosen gene can (rarely) keep its value.
            Assert.That(share, Is.EqualTo(0.1).Within(0.004));
        }
    }

    [Test]
    public void LargerEtaMeansSmallerSteps()
    {
        FoolingTestModels.OneThread();
        using var g = new Generator(3, CPU);
        using var scope = NewDisposeScope();
        var x = full(100000, 0.5f);
        double Step(double eta) => (PolynomialMutation.Apply(x, 1.0, eta, g) - x).abs().mean().item<float>();
        double s1 = Step(1), s15 = Step(15), s100 = Step(100);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s15, Is.LessThan(s1));
            Assert.That(s100, Is.LessThan(s15));
            // From the middle of [0,1] the bounds barely matter: |delta| = 1 - v^(1/(eta+1)), v ~ U(0,1), so E|delta| = 1/(eta+2).
            Assert.That(s15, Is.EqualTo(1.0 / 17).Within(0.002));
        }
    }

    [Test]
    public void SameSeedSameMutation()
    {
        FoolingTestModels.OneThread();
        using var scope = NewDisposeScope();
        var x = linspace(0, 1, 1000);
        using var g1 = new Generator(7, CPU);
        using var g2 = new Generator(7, CPU);
        Assert.That(PolynomialMutation.Apply(x, 0.3, 15, g1).eq(PolynomialMutation.Apply(x, 0.3, 15, g2)).all().item<bool>(), Is.True);
    }

    [Test]
    public void DirectEncodingHalvesItsRateEveryPeriod()
    {
        using var e = new DirectEncoding(10, [1, 28, 28], 0, mutationRate: 0.1, halvingGenerations: 50);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e.RateAt(1), Is.EqualTo(0.1));
            Assert.That(e.RateAt(50), Is.EqualTo(0.1));
            Assert.That(e.RateAt(51), Is.EqualTo(0.05));
            Assert.That(e.RateAt(101), Is.EqualTo(0.025));
        }
    }
}
