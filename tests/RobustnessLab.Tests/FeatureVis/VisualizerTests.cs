using NUnit.Framework;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;

namespace RobustnessLab.Tests.FeatureVis;

public class VisualizerTests
{
    private static Classifier model = null!;

    [OneTimeSetUp]
    public void Setup() => model = TinyModels.ZooCnn();

    [OneTimeTearDown]
    public void TearDown() => model.Dispose();

    [Test]
    public void ModelParametersGetNoGradientAndTheCallersModeIsRestored()
    {
        model.train();
        var r = FeatureVisualizer.Render(model, Objectives.ClassLogit(2), new VisualizationOptions { Steps = 6, Seeds = [1] });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(model.training, Is.True);
            Assert.That(model.parameters().All(p => p.grad is null), Is.True, "a parameter got a .grad");
            Assert.That(r.Images, Has.Count.EqualTo(1));
            Assert.That(r.Images[0].Pixels.All(v => v >= 0 && v <= 1), Is.True);
        }
        model.eval();
    }

    [Test]
    public void EachImageOfABatchDependsOnlyOnItsSeed()
    {
        var o = new VisualizationOptions { Steps = 8, Seeds = [5, 9] };
        var both = FeatureVisualizer.Render(model, Objectives.ClassLogit(1), o);
        var alone = FeatureVisualizer.Render(model, Objectives.ClassLogit(1), o with { Seeds = [9] });
        var again = FeatureVisualizer.Render(model, Objectives.ClassLogit(1), o);
        // Batched and single convolutions round differently and Adam's normalised steps amplify float noise, so the
        // check is "as good as identical" relative to how much two seeds differ, not bit equality.
        double sameSeed = both.Images[1].Pixels.Zip(alone.Images[0].Pixels, (a, b) => (double)Math.Abs(a - b)).Average();
        double otherSeed = both.Images[1].Pixels.Zip(both.Images[0].Pixels, (a, b) => (double)Math.Abs(a - b)).Average();
        TestContext.Out.WriteLine($"mean |diff| same seed batched vs alone {sameSeed:G3}, other seed {otherSeed:G3}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sameSeed, Is.LessThan(1e-5));
            Assert.That(again.Images[0].Pixels, Is.EqualTo(both.Images[0].Pixels), "same seed, same image");
            Assert.That(both.Images[0].Pixels, Is.Not.EqualTo(both.Images[1].Pixels));
        }
    }

    [Test]
    public void SnapshotsAreKeptAtTheRequestedSteps()
    {
        var r = FeatureVisualizer.Render(model, Objectives.ClassLogit(0), new VisualizationOptions { Steps = 10, SaveAt = [2, 5], BlurEvery = 3 });
        Assert.That(r.Snapshots.Select(s => s.Step), Is.EqualTo(new[] { 2, 5, 10 }));
    }

    [Test]
    public void GreyscaleModelsWork()
    {
        using var grey = TinyModels.ZooCnn(channels: 1);
        var r = FeatureVisualizer.Render(grey, Objectives.ClassLogit(0), new VisualizationOptions { Steps = 4, ImageSize = 36 });
        Assert.That(r.Images[0].Channels, Is.EqualTo(1));
        Assert.That(r.Images[0].Height, Is.EqualTo(36));
    }
}
