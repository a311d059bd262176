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
        var dir = TestSupport.TempDir("ensemble-console");
        var checkpoint = Path.Combine(dir, "model");
        // All-zero weights: class 0 for every image, and no gradient, so every member runs on the same points.
        TestSupport.SaveZeroSoftmaxCheckpoint(checkpoint, info => info with { Epoch = 1 });
        var (code, output, error) = ExperimentFixtures.RunLab(dir, "robustness", "--model", checkpoint, "--attacks", "autoattack", "--eps", "0.1", "--n", "10", "--quiet");
        var text = Regex.Replace(output, @"\s+", " ");
        Assert.That(code, Is.EqualTo(0), error);
        Assert.That(text, Does.Match(@"autoattack linf eps 0\.1 by member: apgd-ce ran on (\d+), broke 0, [0-9.]+ s; apgd-t ran on \1, broke 0, [0-9.]+ s; " +
                                     @"fab-t ran on \1, broke 0, [0-9.]+ s; square ran on \1, broke 0, [0-9.]+ s"));
    }
}
