using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.FeatureVis;

public class ProbeAndAttributionTests
{
    private static Classifier model = null!;

    // Attribution takes batched input gradients: use one of the zoo's real configurations (see TinyModels).
    private static Classifier zoo = null!;

    [OneTimeSetUp]
    public void Setup()
    {
        model = TinyModels.Cnn();
        zoo = TinyModels.ZooCnn();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        model.Dispose();
        zoo.Dispose();
    }

    [Test]
    public void ProbeRecordsThroughCallAndLeavesNoHooksBehind()
    {
        using var scope = NewDisposeScope();
        var x = full(new long[] { 2, 3, 16, 16 }, 0.5f);
        var probe = new ActivationProbe(model, ["net.0", "net.4"]);
        model.call(x);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe.HookCount, Is.EqualTo(2));
            Assert.That(probe.Captures, Is.EqualTo(2));
            Assert.That(probe["net.0"].shape, Is.EqualTo(new long[] { 2, 16, 16, 16 }));
            Assert.That(probe["net.4"].shape, Is.EqualTo(new long[] { 2, 32, 8, 8 }));
        }
        probe.Dispose();
        model.call(x);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(probe.HookCount, Is.Zero);
            Assert.That(probe.Captures, Is.EqualTo(2), "a hook fired after Dispose");
            Assert.That(() => probe["net.0"], Throws.TypeOf<ObjectDisposedException>());
        }
    }

    [Test]
    public void ProbeOnUnknownPathListsValidOnes()
    {
        var e = Assert.Throws<LabException>(() => new ActivationProbe(model, ["conv1"]));
        Assert.That(e!.Message, Does.Contain("conv1").And.Contain("net.0").And.Contain("normalize"));
    }

    /// <summary>Completeness (Sundararajan et al. 2017): IG sums to f(x) - f(baseline).</summary>
    [Test]
    public void IntegratedGradientsAreComplete()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(21, CPU);
        var img = ImageData.FromTensor(rand(new long[] { 1, 3, 32, 32 }, generator: g));
        var grey = new ImageData(3, 32, 32, Enumerable.Repeat(0.5f, 3 * 1024).ToArray());
        var ig = Attribution.Compute(zoo, img, 1, AttributionMethod.IntegratedGradients, samples: 1024, baseline: grey);
        double fx = zoo.Predict(img.ToTensor())[0, 1].item<float>(), fb = zoo.Predict(grey.ToTensor())[0, 1].item<float>();
        Assert.That(ig.Pixels.Sum(v => (double)v), Is.EqualTo(fx - fb).Within(0.03 * Math.Abs(fx - fb) + 1e-3));
    }

    [Test]
    public void GradientAndSmoothGradHaveTheImageShapeAndTouchNoParameter()
    {
        using var g = new Generator(22, CPU);
        using var t = rand(new long[] { 1, 3, 32, 32 }, generator: g);
        var img = ImageData.FromTensor(t);
        var grad = Attribution.Compute(zoo, img, 0, AttributionMethod.Gradient);
        var smooth = Attribution.Compute(zoo, img, 0, AttributionMethod.SmoothGrad, samples: 8);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((grad.Channels, grad.Height, grad.Width), Is.EqualTo((3, 32, 32)));
            Assert.That((smooth.Channels, smooth.Height, smooth.Width), Is.EqualTo((3, 32, 32)));
            Assert.That(grad.Pixels.Any(v => v != 0), Is.True);
            Assert.That(zoo.parameters().All(p => p.grad is null), Is.True);
        }
    }

    [Test]
    public void PositiveShareCountsOnlyPositiveAttributionInsideTheMask()
    {
        var a = new ImageData(1, 1, 4, [1f, 3f, -5f, 0f]);
        Assert.That(Attribution.PositiveShare(a, [false, true, true, false]), Is.EqualTo(0.75).Within(1e-9));
    }
}
