using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Fooling;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Fooling;

public class MeasurementTests
{
    [Test]
    public void LogOddsMatchTheSoftmaxAndDoNotSaturate()
    {
        FoolingTestModels.OneThread();
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { 1, 2, 3, 0, 40, 0, -3, 0, 0 }, new long[] { 3, 3 });
        var lo = ClassLogOdds.FromLogits(logits).to(ScalarType.Float64);
        var p = nn.functional.softmax(logits.to(ScalarType.Float64), 1);
        using (Assert.EnterMultipleScope())
        {
            for (int c = 0; c < 3; c++)
            {
                double pc = p[0, c].item<double>();
                Assert.That(lo[0, c].item<double>(), Is.EqualTo(Math.Log(pc / (1 - pc))).Within(1e-5));
                Assert.That(ClassLogOdds.ToConfidence(lo[0, c].item<double>()), Is.EqualTo(pc).Within(1e-6));
            }
            // p = 1 - 8.5e-18: float32 softmax says exactly 1; the log-odds still say 40 - log 2.
            Assert.That(lo[1, 1].item<double>(), Is.EqualTo(40 - Math.Log(2)).Within(1e-4));
            Assert.That(ClassLogOdds.FromConfidence(0.9999), Is.EqualTo(Math.Log(9999)).Within(1e-9));
        }
    }

    [Test]
    public void NearestTrainingImageFindsACopyAndMeasuresTypicalDistances()
    {
        FoolingTestModels.OneThread();
        using var g = new Generator(5, CPU);
        using var train = new Dataset("t", rand([40, 1, 6, 6], generator: g), arange(40).remainder(2), ["a", "b"]);
        using var reference = new Dataset("r", rand([10, 1, 6, 6], generator: g), arange(10).remainder(2), ["a", "b"]);
        using var scope = NewDisposeScope();
        var copy = ImageData.FromTensor(train.Images[17]);
        var shifted = copy with { Pixels = copy.Pixels.Select(v => Math.Clamp(v + 0.1f, 0f, 1f)).ToArray() };
        var champions = new[] { Champion(1, copy), Champion(0, shifted) };
        var e = NearestTrainingImage.Measure(champions, train, reference, referencePerClass: 5);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(e[0].NearestTrainL2, Is.EqualTo(0).Within(1e-3));
            Assert.That(e[0].NearestTrainIndex, Is.EqualTo(17));
            Assert.That(e[0].NearestTrainLabel, Is.EqualTo(1));
            Assert.That(e[1].NearestTrainL2, Is.GreaterThan(0.05).And.LessThanOrEqualTo(0.6 + 1e-4));
            Assert.That(e[0].ReferenceCount, Is.EqualTo(5));
            Assert.That(e[0].WithinClassNearestL2Median, Is.GreaterThan(0).And.LessThan(e[0].WithinClassPairL2Median));
        }
    }

    [Test]
    public void RubbishRateIsAShareAndReproducible()
    {
        using var model = FoolingTestModels.Untrained("mlp");
        var a = RubbishClass.Measure(model, 300, 0.5, seed: 1, clip: true);
        var b = RubbishClass.Measure(model, 300, 0.5, seed: 1, clip: true);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.ShareConfident, Is.InRange(0.0, 1.0));
            Assert.That(a.ConfidentPerClass.Values.Sum(), Is.EqualTo((int)Math.Round(a.ShareConfident * 300)));
            Assert.That(a.MeanConfidence, Is.InRange(0.1, 1.0), "ten classes: the top class has at least 0.1");
            Assert.That(b, Is.EqualTo(a).Using<RubbishReport>((x, y) => x.ShareConfident == y.ShareConfident && x.MeanConfidence == y.MeanConfidence));
        }
    }

    [Test]
    public void TransferUsesTheSecondModelsOwnView()
    {
        using var first = FoolingTestModels.Untrained(seed: 1);
        using var second = FoolingTestModels.Untrained(seed: 2);
        var options = new FoolingOptions { Generations = 3, Population = 10 };
        var r = FoolingRun.Search(first, options, options.ResolveClasses(first.ClassNames));
        var t = Transfer.Measure(second, r.Champions);
        var self = Transfer.Measure(first, r.Champions);
        using (Assert.EnterMultipleScope())
        {
            for (int c = 0; c < 10; c++)
            {
                Assert.That(self[c].Confidence, Is.EqualTo(r.Champions[c].Confidence).Within(1e-4), "the fooled model agrees with itself");
                Assert.That(t[c].Confidence, Is.InRange(0.0, 1.0));
                Assert.That(t[c].PredictedConfidence, Is.GreaterThanOrEqualTo(t[c].Confidence));
            }
            Assert.That(t.Select(x => x.Confidence), Is.Not.EqualTo(self.Select(x => x.Confidence)));
        }
    }

    private static FoolingChampion Champion(int cls, ImageData image) => new()
    {
        ClassIndex = cls, ClassName = cls.ToString(), Confidence = 0.5, LogOdds = 0, FoundAt = 0, FoundAtSeconds = 0, Crossings = [], Image = image,
    };
}
