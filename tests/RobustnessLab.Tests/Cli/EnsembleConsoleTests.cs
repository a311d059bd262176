using System.Text.RegularExpressions;
using RobustnessLab.Core;
using RobustnessLab.Models;
using RobustnessLab.Tests.Experiments;

namespace RobustnessLab.Tests.Cli;

/// <summary>`lab robustness` shows where an ensemble's time went, member by member, on the console (not only in --out).</summary>
public class EnsembleConsoleTests
{
    [Test]
    public void AutoAttacksMembersArePrintedInTheOrderTheyRanWithTheirPointsAndSeconds()
    {
        NativeRuntime.EnsureLoaded();
        var dir = TestSupport.TempDir("ensemble-console");
        var checkpoint = Path.Combine(dir, "model");
        var classes = new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" };
        var spec = ModelZoo.Spec("softmax", [1, 28, 28], classes, [0.5f], [0.25f]);
        using (var model = ModelZoo.Create(spec))
        {
            // All-zero weights: class 0 for every image, and no gradient, so every member runs on the same points.
            using (TorchSharp.torch.no_grad())
                foreach (var p in model.parameters()) p.zero_();
            Checkpoint.Save(checkpoint, model, CheckpointInfo.FromSpec(spec) with { Dataset = "fashion-mnist", Epoch = 1 });
        }
        var (code, output, error) = ExperimentFixtures.RunLab(dir, "robustness", "--model", checkpoint, "--attacks", "autoattack", "--eps", "0.1", "--n", "10", "--quiet");
        var text = Regex.Replace(output, @"\s+", " ");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(text, Does.Match(@"autoattack linf eps 0\.1 by member: apgd-ce ran on (\d+), broke 0, [0-9.]+ s; apgd-t ran on \1, broke 0, [0-9.]+ s; " +
                                     @"fab-t ran on \1, broke 0, [0-9.]+ s; square ran on \1, broke 0, [0-9.]+ s"));
    }
}
