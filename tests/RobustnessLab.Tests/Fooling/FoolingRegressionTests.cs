using RobustnessLab.Fooling;

namespace RobustnessLab.Tests.Fooling;

/// <summary>Seeded regression on a small cnn trained in the fixture (Fashion-MNIST subset, one thread).</summary>
public class FoolingRegressionTests
{
    [Test]
    public void ShortDirectRunFoolsEveryClassAbove99Percent()
    {
        var model = FoolingTestModels.SmallTrainedCnn(out double accuracy);
        Assert.That(accuracy, Is.GreaterThan(0.7), "fixture model must have learnt something");
        var options = new FoolingOptions { Method = FoolingMethod.Direct, Generations = 60, Population = 100, Seed = 0 };
        var r = FoolingRun.Search(model, options, options.ResolveClasses(model.ClassNames));
        using (Assert.EnterMultipleScope())
            foreach (var c in r.Champions)
                Assert.That(c.Confidence, Is.GreaterThanOrEqualTo(0.99), c.ClassName);
    }

    [Test]
    public void GradientAscentReachesTheTargetForEveryClass()
    {
        var model = FoolingTestModels.SmallTrainedCnn(out _);
        var options = new FoolingOptions { Method = FoolingMethod.Gradient, Steps = 300, TargetConfidence = 0.9999 };
        var r = GradientFooling.Run(model, Enumerable.Range(0, 10).ToArray(), options);
        using (Assert.EnterMultipleScope())
            foreach (var c in r.Champions)
                Assert.That(c.Confidence, Is.GreaterThanOrEqualTo(0.9999), c.ClassName);
    }

    [Test]
    [Category("Slow")]
    public void ShortCppnRunFoolsEveryClassAbove99Percent()
    {
        var model = FoolingTestModels.SmallTrainedCnn(out _);
        var options = new FoolingOptions { Method = FoolingMethod.Cppn, Generations = 150, Population = 100, Seed = 0 };
        var r = FoolingRun.Search(model, options, options.ResolveClasses(model.ClassNames));
        using (Assert.EnterMultipleScope())
            foreach (var c in r.Champions)
                Assert.That(c.Confidence, Is.GreaterThanOrEqualTo(0.99), c.ClassName);
    }
}
