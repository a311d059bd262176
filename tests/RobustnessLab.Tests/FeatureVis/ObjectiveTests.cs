using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;

namespace RobustnessLab.Tests.FeatureVis;

public class ObjectiveTests
{
    private static Classifier model = null!;

    [OneTimeSetUp]
    public void Setup() => model = TinyModels.ZooCnn();

    [OneTimeTearDown]
    public void TearDown() => model.Dispose();

    // net.0 conv, net.1 batch norm, net.2 relu, net.3 pool, net.4 conv, ..., net.9 linear, net.10 relu, net.12 linear
    public static IEnumerable<TestCaseData> AllObjectives()
    {
        yield return new TestCaseData(Objectives.ClassLogit(1)).SetArgDisplayNames("logit");
        yield return new TestCaseData(Objectives.ClassLogProbability(2)).SetArgDisplayNames("logp");
        yield return new TestCaseData(Objectives.ClassLogitEach([1, 3])).SetArgDisplayNames("logit each");
        yield return new TestCaseData(Objectives.Neuron("net.4", 3)).SetArgDisplayNames("neuron");
        yield return new TestCaseData(Objectives.Neuron("net.9", 5)).SetArgDisplayNames("dense neuron");
        yield return new TestCaseData(Objectives.Channel("net.0", 2)).SetArgDisplayNames("channel");
        yield return new TestCaseData(Objectives.LayerL2("net.2")).SetArgDisplayNames("deepdream");
        yield return new TestCaseData(Objectives.Diversity("net.2")).SetArgDisplayNames("diversity");
        yield return new TestCaseData(Objectives.Diversity("net.6", [0, 0])).SetArgDisplayNames("diversity within a group");
        yield return new TestCaseData(Objectives.ClassLogit(0) - 0.5 * Objectives.ClassLogit(3)).SetArgDisplayNames("composed");
        yield return new TestCaseData(-Objectives.TotalVariation()).SetArgDisplayNames("minus tv");
    }

    /// <summary>
    /// The generic check of Lucid's test suite: after a few optimiser steps (no transforms, so the value is measured
    /// the same way before and after), every objective is larger than at the start.
    /// </summary>
    [TestCaseSource(nameof(AllObjectives))]
    public void EveryObjectiveImprovesWithinAFewSteps(Objective objective)
    {
        var options = new VisualizationOptions { Steps = 1, LearningRate = 1e-12, Seeds = [3, 4], Transforms = "none", Parameterization = ParameterizationKind.Pixels, InitSd = 0.5 };
        var before = FeatureVisualizer.Render(model, objective, options).FinalObjective.Sum();
        var after = FeatureVisualizer.Render(model, objective, options with { Steps = 12, LearningRate = 0.05 }).FinalObjective.Sum();
        Assert.That(after, Is.GreaterThan(before + 1e-4), $"{objective}: {before} -> {after}");
    }

    /// <summary>Grouped diversity compares an image only with its own group: images alone in their group score zero.</summary>
    [Test]
    public void GroupedDiversityDoesNotCoupleGroups()
    {
        var options = new VisualizationOptions { Steps = 1, Seeds = [3, 4, 5], Transforms = "none", Parameterization = ParameterizationKind.Pixels, InitSd = 0.5 };
        var values = FeatureVisualizer.Render(model, Objectives.Diversity("net.6", [0, 1, 1]), options).FinalObjective;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(values[0], Is.EqualTo(0.0));
            Assert.That(values[1], Is.LessThan(0.0), "two images of one group are similar (negative diversity)");
            Assert.That(values[2], Is.EqualTo(values[1]).Within(1e-5), "similarity is symmetric");
        }
    }

    [Test]
    public void ObjectivesComposeLikeNumbers()
    {
        var a = Objectives.ClassLogit(0);
        var b = Objectives.Channel("net.0", 1);
        var c = 2 * a - b + a * 0.5;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(c.Layers, Is.EquivalentTo(new[] { "net.0" }));
            Assert.That(c.Description, Does.Contain("logit[0]").And.Contain("channel[net.0:1]"));
        }
        var options = new VisualizationOptions { Steps = 1, LearningRate = 1e-12, Seeds = [1], Transforms = "none" };
        double va = FeatureVisualizer.Render(model, a, options).FinalObjective[0];
        double vb = FeatureVisualizer.Render(model, b, options).FinalObjective[0];
        double vc = FeatureVisualizer.Render(model, c, options).FinalObjective[0];
        Assert.That(vc, Is.EqualTo(2 * va - vb + 0.5 * va).Within(1e-4));
    }

    [Test]
    public void ClassLogitEachReadsOneClassPerImage()
    {
        var options = new VisualizationOptions { Steps = 1, LearningRate = 1e-12, Seeds = [7, 8], Transforms = "none" };
        var each = FeatureVisualizer.Render(model, Objectives.ClassLogitEach([2, 0]), options).FinalObjective;
        var two = FeatureVisualizer.Render(model, Objectives.ClassLogit(2), options).FinalObjective;
        var zero = FeatureVisualizer.Render(model, Objectives.ClassLogit(0), options).FinalObjective;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(each[0], Is.EqualTo(two[0]).Within(1e-5));
            Assert.That(each[1], Is.EqualTo(zero[1]).Within(1e-5));
            Assert.That(() => FeatureVisualizer.Render(model, Objectives.ClassLogitEach([0, 1, 2]), options),
                Throws.TypeOf<LabException>().With.Message.Contains("3 classes for a batch of 2"));
        }
    }

    [Test]
    public void UnknownLayerListsTheValidPaths()
    {
        var e = Assert.Throws<LabException>(() => FeatureVisualizer.Render(model, Objectives.Channel("net.99", 0), new VisualizationOptions { Steps = 2 }));
        Assert.That(e!.Message, Does.Contain("net.99").And.Contain("net.0").And.Contain("net.4"));
    }

    [Test]
    public void OutOfRangeClassAndChannelAreClearErrors()
    {
        var o = new VisualizationOptions { Steps = 2 };
        Assert.That(() => FeatureVisualizer.Render(model, Objectives.ClassLogit(9), o), Throws.TypeOf<LabException>().With.Message.Contains("0..3"));
        Assert.That(() => FeatureVisualizer.Render(model, Objectives.Channel("net.0", 40), o), Throws.TypeOf<LabException>().With.Message.Contains("channel 40"));
    }

    [TestCase(0)]
    [TestCase(-3)]
    public void NonPositiveStepsAreRejected(int steps) =>
        Assert.That(() => FeatureVisualizer.Render(model, Objectives.ClassLogit(0), new VisualizationOptions { Steps = steps }),
            Throws.TypeOf<LabException>().With.Message.Contains("steps must be positive"));

    [Test]
    public void ImageSmallerThanTheModelIsRejected() =>
        Assert.That(() => FeatureVisualizer.Render(model, Objectives.ClassLogit(0), new VisualizationOptions { Steps = 2, ImageSize = 8 }),
            Throws.TypeOf<LabException>().With.Message.Contains("too small"));
}
