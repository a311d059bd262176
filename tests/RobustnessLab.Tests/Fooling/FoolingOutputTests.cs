using System.Text.Json.Nodes;
using RobustnessLab.Fooling;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Fooling;

public class FoolingOutputTests
{
    [Test]
    public void AThresholdNeverReachedIsWrittenAsNullSoAPaperRowSaysSo()
    {
        // nguyen-2015.yaml's row reads summary.all_classes_9999_at; when a digit never crossed 99.99% it must find a
        // null ("not reached"), not report that the key does not exist.
        var summary = new FoolingSummary { Classes = 10, Reached99 = 10, Reached999 = 8, Reached9999 = 5, MinConfidence = 0.3, MedianConfidence = 0.9995, AllClasses99At = 40 };
        var root = JsonNode.Parse(RobustnessLab.Core.Json.Serialize(summary))!;
        var (value, problem) = RobustnessLab.Experiments.Gates.JsonSelector.Find(root, "all_classes_9999_at");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(problem, Is.Null);
            Assert.That(value, Is.Null);
            Assert.That(root["all_classes_99_at"]!.GetValue<int>(), Is.EqualTo(40));
        }
    }

    [Test]
    public void RunWritesTheGridTheCurveAndTheIssuesJsonSchema()
    {
        using var model = FoolingTestModels.Untrained();
        using var second = FoolingTestModels.Untrained(seed: 9);
        var options = new FoolingOptions { Generations = 4, Population = 10, RubbishSamples = 100 };
        var report = FoolingRun.Run(model, options, new FoolingInputs(TransferModel: second, ModelName: "m", TransferModelName: "m2"));
        var dir = Path.Combine(Path.GetTempPath(), "robustnesslab-tests", "fooling-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var written = FoolingFigures.WriteAll(report, dir, scale: 2);
            var json = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, FoolingFigures.JsonFile)))!;
            var first = json["classes"]![0]!;
            using (Assert.EnterMultipleScope())
            {
                Assert.That((string?)json["method"], Is.EqualTo("direct"));
                Assert.That((string?)json["model"], Is.EqualTo("m"));
                Assert.That(json["classes"]!.AsArray(), Has.Count.EqualTo(10));
                foreach (var key in new[] { "class", "confidence", "generations_to_99", "generations_to_9999", "seconds", "nearest_train_l2", "transfer_confidence" })
                    Assert.That(first.AsObject().ContainsKey(key), Is.True, $"fooling.json classes[] lacks '{key}'");
                Assert.That((string?)first["class"], Is.EqualTo("T-shirt/top"));
                Assert.That((double?)first["transfer_confidence"], Is.Not.Null);
                Assert.That(json["rubbish"]!.AsArray(), Has.Count.EqualTo(2));
                foreach (var stem in new[] { FoolingFigures.GridStem, FoolingFigures.CurveStem })
                    foreach (var ext in new[] { ".svg", ".png" })
                        Assert.That(File.Exists(Path.Combine(dir, stem + ext)), Is.True, $"{stem}{ext} written");
                Assert.That((string?)json["figures"]!["curve"], Is.EqualTo("curve.svg"), "fooling.json names the SVG the gallery shows");
                Assert.That(File.ReadAllLines(Path.Combine(dir, FoolingFigures.CurveCsvFile)), Has.Length.EqualTo(6));
                // The 16-bit champion PNG reloads to the scored pixels (within 16-bit rounding).
                var saved = Png.Load(Path.Combine(dir, written.Classes[3].ImageFile!), 1);
                Assert.That(saved.Pixels.Zip(report.Classes[3].Image.Pixels, (a, b) => Math.Abs(a - b)).Max(), Is.LessThan(1e-4));
            }
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }

    [TestCase(0.5, "0.50")]
    [TestCase(0.991, "0.991")]
    [TestCase(0.99993, "0.99993")]
    [TestCase(0.99988, "0.99988")]
    [TestCase(0.9999999, "0.9999999")]
    public void ConfidencesShowTheirNines(double p, string expected) => Assert.That(FoolingFigures.FormatConfidence(p), Is.EqualTo(expected));

    [Test]
    public void NinesScale()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(FoolingFigures.Nines(ClassLogOdds.FromConfidence(0.99)), Is.EqualTo(2).Within(1e-6));
            Assert.That(FoolingFigures.Nines(ClassLogOdds.FromConfidence(0.9999)), Is.EqualTo(4).Within(1e-6));
            Assert.That(FoolingFigures.Nines(double.NegativeInfinity), Is.EqualTo(0));
        }
    }
}
