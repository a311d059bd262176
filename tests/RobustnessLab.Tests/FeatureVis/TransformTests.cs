using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.FeatureVis;

public class TransformTests
{
    [OneTimeSetUp]
    public void Setup() => LabContext.Create("cpu", 0, threads: 1);

    public static IEnumerable<TestCaseData> Cases()
    {
        yield return new TestCaseData(Transforms.Pad(3), 38L).SetArgDisplayNames("pad 3");
        yield return new TestCaseData(Transforms.Jitter(4), 28L).SetArgDisplayNames("jitter 4");
        yield return new TestCaseData(Transforms.RandomScale([1.25]), 40L).SetArgDisplayNames("scale 1.25");
        yield return new TestCaseData(Transforms.RandomRotate([-10.0, 7.0]), 32L).SetArgDisplayNames("rotate");
        yield return new TestCaseData(Transforms.Compose(Transforms.Standard(32), Transforms.Resize(32, 32)), 32L).SetArgDisplayNames("standard + resize");
        yield return new TestCaseData(Transforms.Compose(Transforms.LucidStandard(), Transforms.Resize(20, 20)), 20L).SetArgDisplayNames("lucid + resize");
    }

    [TestCaseSource(nameof(Cases))]
    public void TransformsKeepShapeAndRange(ImageTransform transform, long expectedSide)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11, CPU);
        var x = rand(new long[] { 2, 3, 32, 32 }, generator: g) * 0.8 + 0.1; // in [0.1, 0.9]
        var rng = new Random(4);
        for (int trial = 0; trial < 5; trial++)
        {
            var y = transform(x, rng);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(y.shape[0..2], Is.EqualTo(new long[] { 2, 3 }));
                if (trial == 0) Assert.That(y.shape[2..], Is.EqualTo(new[] { expectedSide, expectedSide }));
                Assert.That(y.min().item<float>(), Is.GreaterThanOrEqualTo(0.1f - 1e-5f));
                Assert.That(y.max().item<float>(), Is.LessThanOrEqualTo(0.9f + 1e-5f));
            }
        }
    }

    [Test]
    public void TransformsAreReproducibleFromTheRandomSource()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(12, CPU);
        var x = rand(new long[] { 1, 3, 32, 32 }, generator: g);
        var t = Transforms.Standard(32);
        var a = t(x, new Random(9));
        var b = t(x, new Random(9));
        Assert.That((a - b).abs().max().item<float>(), Is.Zero);
    }

    [Test]
    public void NegativeAmountsAreRejected()
    {
        Assert.That(() => Transforms.Pad(-1), Throws.TypeOf<LabException>());
        Assert.That(() => Transforms.Jitter(-2), Throws.TypeOf<LabException>());
        Assert.That(() => Transforms.RandomScale([0.0]), Throws.TypeOf<LabException>());
    }
}
