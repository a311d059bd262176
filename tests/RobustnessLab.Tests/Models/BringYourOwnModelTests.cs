using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.FeatureVis;
using RobustnessLab.Fooling;
using RobustnessLab.Models;
using RobustnessLab.NUnit;
using RobustnessLab.Tests.Attacks;
using RobustnessLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

/// <summary>
/// A module the lab did not make (<see cref="TinyResidualNet"/>, defined only in this project), wrapped in one call,
/// trained for a few epochs on the toy quadrant data, then attacked by every registered attack, gated with
/// RobustnessAssert, fooled and visualised.
/// </summary>
[TestFixture]
public sealed class BringYourOwnModelTests
{
    private DataSplits data = null!;
    private Classifier model = null!;
    private Tensor x = null!, y = null!;
    private double cleanAccuracy;

    [OneTimeSetUp]
    public void TrainTheResearchersModule()
    {
        var ctx = LabContext.Create("cpu", 0, threads: 1);
        data = TestSupport.Toy(train: 512, test: 128, size: 12, classes: 5);
        torch.manual_seed(3);
        model = ImageClassifier.From(new TinyResidualNet(1, 12, 5), data.Test.ClassNames, [1, 12, 12], mean: [0.3f], std: [0.3f], name: "tiny-residual");
        new Trainer(ctx).Train(model, data, new TrainingOptions { Epochs = 3, BatchSize = 64, Seed = 0 });
        model.eval();
        using (var scope = NewDisposeScope())
            cleanAccuracy = model.Predict(data.Test.Images).argmax(1).eq(data.Test.Labels).to(float32).mean().item<float>();
        x = data.Test.Images.narrow(0, 0, 48).clone().DetachFromDisposeScope();
        y = data.Test.Labels.narrow(0, 0, 48).clone().DetachFromDisposeScope();
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        x.Dispose();
        y.Dispose();
        model.Dispose();
        data.Dispose();
    }

    [Test]
    public void TheWrappedModuleLearnsTheTask() =>
        // Classes 0 and 4 brighten the same quadrant, so about 0.8 is the ceiling; measured 0.742, chance is 0.2.
        Assert.That(cleanAccuracy, Is.GreaterThan(0.65), "clean test accuracy after 3 epochs");

    [TestCaseSource(typeof(AttackInvariantTests), nameof(AttackInvariantTests.AllAttacks))]
    public void EveryAttackKeepsItsBudgetAndRangeAndLeavesTheModelAlone(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        double[] eps = attack.Distance == Distance.L2 ? [0, 0.5, 1.5] : [0, 0.03, 0.1];
        var before = model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
        model.train();
        try
        {
            using var g = new Generator(LabContext.DeriveSeed(7, 1), CPU);
            using var r = attack.Run(model, x, y, eps, null, g);
            using var scope = NewDisposeScope();
            var misclassified = model.Predict(x).argmax(1).ne(y).cpu().data<bool>().ToArray();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(model.training, Is.True, "caller's train mode restored");
                foreach (var (key, value) in model.state_dict())
                    Assert.That(TestSupport.Same(value, before[key]), Is.True, $"{key} changed");
                Assert.That(TestSupport.Same(r.Adversarials[0], x), Is.True, "eps 0 changed the inputs");
                Assert.That(r.Success[0], Is.EqualTo(misclassified), "at eps 0 only the misclassified count");
                for (int e = 1; e < eps.Length; e++)
                {
                    var adv = r.Adversarials[e];
                    Assert.That(attack.Distance.Measure(adv - x).max().item<float>(), Is.LessThanOrEqualTo(eps[e] + 1e-5), $"budget at eps {eps[e]}");
                    Assert.That(adv.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
                    Assert.That(adv.max().item<float>(), Is.LessThanOrEqualTo(1f));
                }
                Assert.That(r.SuccessRate(eps.Length - 1), Is.GreaterThan(0.2), "success rate at the larger budget");
            }
        }
        finally
        {
            model.eval();
            foreach (var t in before.Values) t.Dispose();
        }
    }

    [Test]
    public void RobustnessAssertGatesIt()
    {
        var pgd = RobustnessAssert.Measure(model, data.Test, "pgd", eps: 0.1, samples: 128);
        var fgsm = RobustnessAssert.Measure(model, data.Test, "fgsm", eps: 0.1, samples: 128);
        TestContext.Out.WriteLine($"pgd success {pgd.SuccessRateCorrect:F3}, fgsm robust accuracy {fgsm.RobustAccuracy:F3}, clean {cleanAccuracy:F3}");
        RobustnessAssert.SuccessRateAtLeast(model, data.Test, "pgd", eps: 0.1, min: 0.15, samples: 128); // measured 0.211
        RobustnessAssert.RobustAccuracyAtMost(model, data.Test, "fgsm", eps: 0.1, max: 0.73, samples: 128); // measured 0.695; doing nothing would leave the clean 0.742
    }

    [Test]
    public void GradientFoolingRaisesEveryClassesConfidence()
    {
        var classes = Enumerable.Range(0, 5).ToArray();
        var r = GradientFooling.Run(model, classes, new FoolingOptions { Method = FoolingMethod.Gradient, Steps = 10, TargetConfidence = 0.999999 });
        using (Assert.EnterMultipleScope())
        {
            foreach (var c in classes)
            {
                Assert.That(r.Curve[^1].LogOdds[c], Is.GreaterThan(r.Curve[0].LogOdds[c] + 0.5), $"class {c}");
                Assert.That(r.Champions[c].Image.Pixels, Has.All.InRange(0f, 1f));
            }
        }
    }

    [Test]
    public void FeatureVisualisationAndAttributionRunOnIt()
    {
        var o = new VisualizationOptions { Steps = 16, Seeds = [1] };
        var start = FeatureVisualizer.Render(model, Objectives.ClassLogit(2), o with { Steps = 1 });
        var end = FeatureVisualizer.Render(model, Objectives.ClassLogit(2), o);
        var saliency = Attribution.Compute(model, ImageData.FromTensor(x.narrow(0, 0, 1)[0]), 1, AttributionMethod.Gradient);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(end.FinalObjective[0], Is.GreaterThan(start.FinalObjective[0]), "class logit rose");
            Assert.That(end.Images[0].Pixels, Has.All.InRange(0f, 1f));
            Assert.That(saliency.Pixels.Any(v => v != 0), Is.True, "a zero saliency map");
        }
    }
}
