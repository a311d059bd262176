using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using RobustnessLab.NUnit;
using RobustnessLab.Training;

namespace RobustnessLab.Tests.Attacks;

/// <summary>
/// Regression table on attack success rates: a cnn trained once per fixture (seed 0, 1 thread, 4,000 Fashion-MNIST
/// training images, 2 epochs), attacked on the first 300 test images. Minimums sit well below the measured values
/// (see each row) so that only a real weakening of an attack fails, written with the public
/// <see cref="RobustnessAssert"/> helper researchers use in their own projects.
/// </summary>
[TestFixture, Category("Slow")]
public sealed class AttackRegressionTests
{
    private DataSplits data = null!;
    private Classifier model = null!;

    [OneTimeSetUp]
    public void TrainOnce()
    {
        data = TestSupport.FashionSubset(train: 4000, test: 300);
        var ctx = LabContext.Create("cpu", 0, threads: 1);
        var (mean, std) = Trainer.ChannelStatistics(data.Train);
        var trainer = new Trainer(ctx);
        model = trainer.CreateModel(ModelZoo.Spec("cnn", [1, 28, 28], data.ClassNames, mean, std), 0);
        trainer.Train(model, data, new TrainingOptions { Epochs = 2, Seed = 0 });
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        model?.Dispose();
        data?.Dispose();
    }

    /// <summary>(attack, settings, eps, minimum success rate over initially-correct samples).</summary>
    public static IEnumerable<TestCaseData> Table()
    {
        TestCaseData Row(string attack, double eps, double min, params (string, double)[] args) =>
            new TestCaseData(new AttackSpec(attack, args.ToDictionary(a => a.Item1, a => a.Item2)), eps, min).SetName($"{{m}}({attack}, eps {eps}, >= {min})");
        yield return Row("fgsm", 0.05, 0.45);
        yield return Row("fgsm", 0.1, 0.70);
        yield return Row("bim", 0.05, 0.75);
        yield return Row("mi-fgsm", 0.05, 0.75);
        yield return Row("pgd", 0.05, 0.80, ("steps", 10));
        yield return Row("pgd", 0.1, 0.97, ("steps", 10));
        yield return Row("apgd-ce", 0.05, 0.80, ("steps", 25));
        yield return Row("square", 0.1, 0.80, ("queries", 300));
        yield return Row("pgd-l2", 1.5, 0.80, ("steps", 10));
        yield return Row("deepfool", 1.5, 0.80);
        yield return Row("cw", 1.5, 0.80, ("search_steps", 3), ("steps", 30));
    }

    [TestCaseSource(nameof(Table))]
    public void AttackSuccessRateDoesNotRegress(AttackSpec attack, double eps, double min)
    {
        var record = RobustnessAssert.SuccessRateAtLeast(model, data.Test, attack, eps, min, samples: 300);
        TestContext.Out.WriteLine($"{attack} eps {eps}: success {record.SuccessRateCorrect:F3} (min {min}), robust accuracy {record.RobustAccuracy:F3}");
    }

    [Test]
    public void TargetedPgdReachesItsTargets()
    {
        var record = RobustnessAssert.SuccessRateAtLeast(model, data.Test, new AttackSpec("pgd", new Dictionary<string, double> { ["steps"] = 20 }), 0.2, 0.90,
            samples: 300, criterion: Criterion.RandomTarget);
        Assert.That(record.Targeted, Is.True);
    }

    [Test]
    public void FgsmSuccessIsMonotoneInEpsilonOnAFixedModel()
    {
        var report = RobustnessEvaluation.Run(model, data.Test, new RobustnessOptions
        {
            Attacks = [new("fgsm")], Epsilons = [0, 0.01, 0.02, 0.05, 0.1, 0.2, 0.3], Samples = 300,
        });
        var rates = report.Attacks.OrderBy(r => r.Eps).Select(r => r.SuccessRateCorrect).ToArray();
        for (int i = 1; i < rates.Length; i++)
            Assert.That(rates[i], Is.GreaterThanOrEqualTo(rates[i - 1]), $"FGSM success fell from {rates[i - 1]:F3} to {rates[i]:F3}");
        Assert.That(report.Flags, Has.None.Contains("rises with eps"));
    }
}
