using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using RobustnessLab.NUnit;
using TorchSharp;
using static TorchSharp.torch;

namespace MyModelRobustness;

/// <summary>
/// Regression tests on attack success rates for one's own model: train it briefly (here, in the fixture; in practice
/// you would load your trained weights), wrap it for RobustnessLab, and fail the build when robustness drifts.
/// Thresholds sit below the values measured on this model with these seeds (see the README of the repository).
/// </summary>
[TestFixture]
public sealed class MyModelRobustnessTests
{
    private DataSplits data = null!;
    private ImageClassifier model = null!;
    private double cleanAccuracy;

    [OneTimeSetUp]
    public void TrainBriefly()
    {
        if (!FashionMnist.IsAvailable())
            Assert.Ignore("Fashion-MNIST not found: " + FashionMnist.HowToGet);
        // Load libtorch first, the lab's way: one clear error if it cannot load, and glibc's allocator tuned for it
        // (without that every libtorch step here paid page faults: several times slower).
        NativeRuntime.EnsureLoaded();
        torch.manual_seed(0);
        data = FashionMnist.Load(new DataOptions(TrainLimit: 12_000, TestLimit: 1_000));

        // Your own TorchSharp module, wrapped with its class names, input shape and normalisation: RobustnessLab puts
        // the normalisation in front, so attacks work in [0,1] pixels and eps means pixels.
        model = ImageClassifier.From(new MyCnn(data.ClassNames.Count), data.ClassNames, inputShape: [1, 28, 28], mean: [0.286f], std: [0.353f], name: "my-cnn");

        // Two epochs of plain Adam: about 20 CPU-seconds.
        using var optimizer = optim.Adam(model.parameters(), lr: 2e-3);
        var shuffle = new Generator(0);
        model.train();
        for (int epoch = 0; epoch < 2; epoch++)
        {
            var order = data.Train.Order(shuffle);
            for (int start = 0; start < order.Length; start += 128)
            {
                using var scope = NewDisposeScope();
                var (x, y) = data.Train.Batch(order, start, 128);
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(x), y);
                loss.backward();
                optimizer.step();
            }
        }
        model.eval();
        using (NewDisposeScope())
            cleanAccuracy = model.Predict(data.Test.Images).argmax(1).eq(data.Test.Labels).to_type(ScalarType.Float32).mean().item<float>();
    }

    [OneTimeTearDown]
    public void Release()
    {
        model?.Dispose();
        data?.Dispose();
    }

    [Test]
    public void TrainedWellEnoughToBeWorthAttacking()
    {
        TestContext.Out.WriteLine($"clean accuracy {cleanAccuracy:F3} on {data.Test.Count} test images");
        Assert.That(cleanAccuracy, Is.GreaterThanOrEqualTo(0.80), "clean test accuracy of the briefly trained model");
    }

    [Test]
    public void FgsmStillBreaksTheUndefendedModel()
    {
        var fgsm = RobustnessAssert.SuccessRateAtLeast(model, data.Test, new AttackSpec("fgsm"), eps: 0.1, min: 0.55, samples: 500);
        TestContext.Out.WriteLine($"FGSM eps 0.1: success rate {fgsm.SuccessRateCorrect:F3} of initially-correct, robust accuracy {fgsm.RobustAccuracy:F3}");
    }

    [Test]
    public void PgdLeavesItLittleRobustAccuracy()
    {
        var pgd = RobustnessAssert.RobustAccuracyAtMost(model, data.Test, new AttackSpec("pgd", new Dictionary<string, double> { ["steps"] = 10 }), eps: 0.1, max: 0.30, samples: 500);
        TestContext.Out.WriteLine($"PGD-10 eps 0.1: robust accuracy {pgd.RobustAccuracy:F3}, success rate {pgd.SuccessRateCorrect:F3}");
    }
}
