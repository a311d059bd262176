using RobustnessLab.Fooling;

namespace RobustnessLab.Tests.Fooling;

public class GradientFoolingTests
{
    private static readonly int[] AllClasses = Enumerable.Range(0, 10).ToArray();

    // Blur and jitter trade speed for smoother images: a smaller but still clear gain.
    [TestCase(GradientStart.Noise, 0, 0, 2.0)]
    [TestCase(GradientStart.Grey, 0, 0, 2.0)]
    [TestCase(GradientStart.Noise, 3, 2, 0.5)]
    public void AscentRaisesEveryTargetsConfidence(GradientStart start, int blurEvery, int jitter, double minGain)
    {
        var model = FoolingTestModels.SmallTrainedCnn(out _);
        var options = new FoolingOptions
        {
            Method = FoolingMethod.Gradient, Steps = 10, GradientStart = start, BlurEvery = blurEvery, Jitter = jitter, TargetConfidence = 0.999999,
        };
        var r = GradientFooling.Run(model, AllClasses, options);
        using (Assert.EnterMultipleScope())
        {
            for (int c = 0; c < 10; c++)
            {
                // Ten steps of 0.28 (L2) each lift every class's log-odds by units on the fixture model.
                Assert.That(r.Curve[^1].LogOdds[c], Is.GreaterThan(r.Curve[0].LogOdds[c] + minGain), $"class {c}");
                Assert.That(r.Champions[c].Image.Pixels, Has.All.InRange(0f, 1f));
            }
        }
    }

    [Test]
    public void AscentRaisesConfidenceEvenOnAnUntrainedModel()
    {
        using var model = FoolingTestModels.Untrained();
        var r = GradientFooling.Run(model, AllClasses, new FoolingOptions { Method = FoolingMethod.Gradient, Steps = 15, TargetConfidence = 0.999999 });
        for (int c = 0; c < 10; c++)
            Assert.That(r.Curve[^1].LogOdds[c], Is.GreaterThan(r.Curve[0].LogOdds[c] + 0.05), $"class {c}");
    }

    [Test]
    public void OnlyInputGradientsAndTheCallersModeRestored()
    {
        using var model = FoolingTestModels.Untrained();
        model.train();
        GradientFooling.Run(model, [1, 4], new FoolingOptions { Method = FoolingMethod.Gradient, Steps = 5 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(model.parameters().All(p => p.grad is null), Is.True, "autograd.grad must not fill parameter .grad");
            Assert.That(model.training, Is.True);
        }
    }

    [Test]
    public void StopsOnceEveryImageReachesTheTarget()
    {
        var model = FoolingTestModels.SmallTrainedCnn(out _);
        var r = GradientFooling.Run(model, [2, 7], new FoolingOptions { Method = FoolingMethod.Gradient, Steps = 300, TargetConfidence = 0.99 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Champions.All(c => c.Confidence >= 0.99), Is.True);
            Assert.That(r.Iterations, Is.LessThan(300), "stopped early");
            Assert.That(r.Champions.Max(c => c.FoundAt), Is.EqualTo(r.Iterations));
        }
    }

    [Test]
    public void StepsLeakNoTensorsAndAreReproducible()
    {
        using var model = FoolingTestModels.Untrained();
        var options = new FoolingOptions { Method = FoolingMethod.Gradient, Steps = 40, BlurEvery = 4, Jitter = 1, TargetConfidence = 0.9999999 };
        var first = GradientFooling.Run(model, AllClasses, options with { Steps = 2 }); // warm-up
        long before = FoolingTestModels.LiveTensors();
        var live = new List<long>();
        var a = GradientFooling.Run(model, AllClasses, options, new Inline<FoolingProgress>(_ => live.Add(FoolingTestModels.LiveTensors())));
        long after = FoolingTestModels.LiveTensors();
        var b = GradientFooling.Run(model, AllClasses, options);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(live[^1] - live[3], Is.EqualTo(0), "live tensors grew during the run");
            Assert.That(after - before, Is.EqualTo(0), "tensors left behind");
            Assert.That(b.Champions[3].Image.Pixels, Is.EqualTo(a.Champions[3].Image.Pixels), "same seed, same image");
            Assert.That(first.Champions, Has.Count.EqualTo(10));
        }
    }
}
