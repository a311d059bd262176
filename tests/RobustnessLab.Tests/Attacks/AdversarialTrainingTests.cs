using RobustnessLab.Core;
using RobustnessLab.Training;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Attacks;

/// <summary>The adversarial-training objectives: registered, validated, mode-preserving, and they train.</summary>
[TestFixture]
public sealed class AdversarialTrainingTests
{
    private AttackFixture f = null!;

    [OneTimeSetUp] public void SetUp() => f = new AttackFixture();
    [OneTimeTearDown] public void TearDown() => f.Dispose();

    [TestCase("fgsm")]
    [TestCase("fgsm-rs")]
    [TestCase("pgd")]
    [TestCase("pgd-l2")]
    [TestCase("trades")]
    public void ObjectiveKeepsTrainModeAndLeavesParameterGradientsToTheTrainer(string name)
    {
        var objective = TrainingObjectives.Create(name, new Dictionary<string, double> { ["eps"] = 0.1 });
        using var scope = NewDisposeScope();
        using var gen = new Generator(1, CPU);
        f.Model.train();
        var before = f.Model.state_dict().Where(kv => kv.Key.Contains("running_mean")).ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        // Gradients left by the fixture's training must be exactly as they were: the objective only builds the loss.
        var grads = f.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is { IsInvalid: false } g0 ? g0.clone() : null);
        try
        {
            var output = objective.Compute(f.Model, f.X, f.Y, new TrainingStepInfo(0, 0, 1, 1, gen));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(f.Model.training, Is.True, "train mode restored after building adversarial inputs");
                Assert.That(float.IsFinite(output.Loss.item<float>()), Is.True);
                Assert.That(output.Logits.shape, Is.EqualTo(new long[] { f.X.shape[0], 5 }));
                foreach (var (pname, p) in f.Model.named_parameters())
                {
                    var pgrad = p.grad is { IsInvalid: false } pg ? pg : null;
                    Assert.That(pgrad is null, Is.EqualTo(grads[pname] is null), $"{pname}: the objective must not call backward");
                    if (pgrad is not null && grads[pname] is { } old) Assert.That(TestSupport.Same(pgrad, old), Is.True, $"{pname}: gradient changed: the objective must not call backward");
                }
            }
        }
        finally
        {
            f.Model.eval();
            // The objective's final forward in train mode updates BatchNorm as ordinary training does: restore it.
            using var _ = no_grad();
            var sd = f.Model.state_dict();
            foreach (var (k, v) in before) sd[k].copy_(v);
        }
    }

    /// <summary>L2 PGD-AT ramps its budget linearly over the first ramp_epochs, then holds it; L2 radii above 1 are valid.</summary>
    [Test]
    public void PgdL2RampsItsBudget()
    {
        var o = (PgdObjective)TrainingObjectives.Create("pgd-l2", new Dictionary<string, double> { ["eps"] = 2.0, ["ramp_epochs"] = 2 });
        using var gen = new Generator(1, CPU);
        double At(int epoch, int step) => o.EpsilonAt(new TrainingStepInfo(epoch, step, 10, 4, gen));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(At(0, 0), Is.EqualTo(0.1).Within(1e-12), "one step of twenty");
            Assert.That(At(0, 9), Is.EqualTo(1.0).Within(1e-12));
            Assert.That(At(1, 9), Is.EqualTo(2.0).Within(1e-12));
            Assert.That(At(3, 5), Is.EqualTo(2.0).Within(1e-12));
            Assert.That(() => TrainingObjectives.Create("pgd-l2", new Dictionary<string, double> { ["ramp_epochs"] = -1 }), Throws.TypeOf<LabException>().With.Message.Contains("ramp_epochs"));
        }
    }

    [Test]
    public void AdversarialObjectivesAreRegisteredWithTheirSettings()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TrainingObjectives.Names, Is.SupersetOf(new[] { "standard", "fgsm", "fgsm-rs", "pgd", "trades" }));
            Assert.That(() => TrainingObjectives.Create("pgd", new Dictionary<string, double> { ["eps"] = 1.5 }), Throws.TypeOf<LabException>().With.Message.Contains("eps"));
            Assert.That(() => TrainingObjectives.Create("pgd", new Dictionary<string, double> { ["steps"] = 0 }), Throws.TypeOf<LabException>().With.Message.Contains("steps"));
            Assert.That(() => TrainingObjectives.Create("trades", new Dictionary<string, double> { ["clean_weight"] = 0.5 }), Throws.TypeOf<LabException>().With.Message.Contains("valid:"));
            Assert.That(() => TrainingObjectives.Create("madry", new Dictionary<string, double>()), Throws.TypeOf<LabException>().With.Message.Contains("valid:"));
        }
    }

    /// <summary>
    /// Madry et al. 2017 (arXiv:1706.06083) in miniature: the same cnn, seed and data (4,000 Fashion-MNIST training
    /// images, 2 epochs, one thread), trained plainly and with PGD-3 at eps 0.1, both attacked by PGD-10 at eps 0.1
    /// on 256 test images. (The toy quadrant data cannot show this: plain training is already robust there.)
    /// </summary>
    [Test]
    [Category("Slow")]
    public void PgdTrainingRaisesRobustAccuracyOverStandardTraining()
    {
        using var data = TestSupport.FashionSubset(train: 4000, test: 256);
        var ctx = LabContext.Create("cpu", 0, threads: 1);
        var trainer = new Trainer(ctx);
        var (mean, std) = Trainer.ChannelStatistics(data.Train);
        var spec = RobustnessLab.Models.ModelZoo.Spec("cnn", [1, 28, 28], data.ClassNames, mean, std,
            new Dictionary<string, double> { ["width"] = 16, ["hidden"] = 64 });
        (double Clean, double Robust) Measure(string objective)
        {
            using var model = trainer.CreateModel(spec, 5);
            trainer.Train(model, data, new TrainingOptions
            {
                Epochs = 2, Seed = 5, Objective = objective,
                ObjectiveArgs = objective == "standard" ? new Dictionary<string, double>() : new Dictionary<string, double> { ["eps"] = 0.1, ["steps"] = 3 },
            });
            var report = RobustnessLab.Evaluation.RobustnessEvaluation.Run(model, data.Test, new RobustnessLab.Evaluation.RobustnessOptions
            {
                Attacks = [new("pgd", new Dictionary<string, double> { ["steps"] = 10 })], Epsilons = [0.1], Samples = 256,
            });
            return (report.CleanAccuracy, report.Attacks[0].RobustAccuracy);
        }
        var standard = Measure("standard");
        var adversarial = Measure("pgd");
        TestContext.Out.WriteLine($"standard: clean {standard.Clean:F3}, PGD-10 robust {standard.Robust:F3}; PGD-AT: clean {adversarial.Clean:F3}, PGD-10 robust {adversarial.Robust:F3}");
        Assert.That(adversarial.Robust, Is.GreaterThan(standard.Robust + 0.2), $"PGD-AT {adversarial.Robust:F3} vs standard {standard.Robust:F3} under PGD-10 at eps 0.1");
    }
}
