using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.FeatureVis;

public class ParameterizationTests
{
    [OneTimeSetUp]
    public void Setup() => LabContext.Create("cpu", 0, threads: 1);

    private static List<Generator> Generators(int n) => Enumerable.Range(0, n).Select(i => new Generator((ulong)(100 + i), CPU)).ToList();

    [TestCase(ParameterizationKind.Fourier, 3, true, 16, 16)]
    [TestCase(ParameterizationKind.Fourier, 3, false, 15, 20)]
    [TestCase(ParameterizationKind.Fourier, 1, false, 28, 28)]
    [TestCase(ParameterizationKind.Pixels, 3, true, 16, 16)]
    public void SetImageThenImageRoundTrips(ParameterizationKind kind, int channels, bool decorrelate, int h, int w)
    {
        using var scope = NewDisposeScope();
        using var p = ImageParameterization.Create(kind, Generators(2), channels, h, w, decorrelate);
        using var g = new Generator(7, CPU);
        var target = rand(new long[] { 2, channels, h, w }, generator: g) * 0.9 + 0.05;
        p.SetImage(target);
        using var _ = no_grad();
        var back = p.Image();
        Assert.That((back - target).abs().max().item<float>(), Is.LessThan(1e-4f));
    }

    [Test]
    public void FourierStartIsCalmAndInRange()
    {
        using var scope = NewDisposeScope();
        using var p = ImageParameterization.Create(ParameterizationKind.Fourier, Generators(1), 3, 32, 32, true);
        using var _ = no_grad();
        var img = p.Image();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(img.min().item<float>(), Is.GreaterThan(0.3f));
            Assert.That(img.max().item<float>(), Is.LessThan(0.7f));
        }
    }

    [TestCase(ParameterizationKind.Fourier)]
    [TestCase(ParameterizationKind.Pixels)]
    public void BlurLowersTotalVariation(ParameterizationKind kind)
    {
        using var scope = NewDisposeScope();
        using var p = ImageParameterization.Create(kind, Generators(1), 3, 24, 24, false);
        using var g = new Generator(3, CPU);
        p.SetImage(rand(new long[] { 1, 3, 24, 24 }, generator: g) * 0.8 + 0.1);
        double Tv()
        {
            using var _ = no_grad();
            var x = p.Image();
            return (x.narrow(3, 1, 23) - x.narrow(3, 0, 23)).abs().mean().item<float>();
        }
        double before = Tv();
        p.Blur(1.0);
        Assert.That(Tv(), Is.LessThan(before * 0.7));
    }

    [Test]
    public void DecorrelationInvertsExactly()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5, CPU);
        var x = randn(new long[] { 2, 3, 5, 5 }, generator: g);
        var back = ColorDecorrelation.Apply(ColorDecorrelation.Apply(x), inverse: true);
        Assert.That((back - x).abs().max().item<float>(), Is.LessThan(1e-4f));
    }
}
