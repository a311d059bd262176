using RobustnessLab.Core;
using RobustnessLab.Evaluation;

namespace RobustnessLab.Tests.Attacks;

/// <summary>
/// A robustness evaluation with a checkpoint folder resumes where it stopped: every (attack, batch) outcome it finds
/// for the same identity is read, not run, and the report equals an uninterrupted run's; anything that changes what a
/// batch would compute (scope, attack settings, seed) runs again, and an unreadable entry is recomputed.
/// </summary>
[TestFixture]
public sealed class EvaluationCheckpointTests
{
    private AttackFixture f = null!;
    private string dir = null!;

    [OneTimeSetUp] public void SetUp() => f = new AttackFixture();
    [OneTimeTearDown] public void TearDown() => f.Dispose();

    [SetUp] public void NewFolder() => dir = Directory.CreateTempSubdirectory("rl-evalckpt-").FullName;
    [TearDown] public void RemoveFolder() => Directory.Delete(dir, true);

    // 100 samples in batches of 25: 4 batches for each of pgd and square; the ensemble is one cascade entry.
    private static RobustnessOptions Options(int pgdSteps = 6) => new()
    {
        Attacks = [new("pgd", new Dictionary<string, double> { ["steps"] = pgdSteps }), new("square", new Dictionary<string, double> { ["queries"] = 30 }),
            new("ensemble", new Dictionary<string, double> { ["steps"] = 6, ["targets"] = 2, ["queries"] = 20 })],
        Epsilons = [0, 0.05, 0.1],
        Samples = 100,
        BatchSize = 25,
        Seed = 7,
    };

    private RobustnessReport Run(RobustnessOptions o, EvaluationCheckpoint? c) => RobustnessEvaluation.Run(f.Model, f.Data.Test, o, checkpoint: c);

    /// <summary>The report without any time or resume count: what must not depend on resuming.</summary>
    private static string Content(RobustnessReport r)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(Json.Serialize(r with { ResumedOutcomes = 0 }))!;
        Strip(node);
        return node.ToJsonString();

        static void Strip(System.Text.Json.Nodes.JsonNode? n)
        {
            if (n is System.Text.Json.Nodes.JsonObject o)
            {
                o.Remove("seconds");
                foreach (var (_, v) in o) Strip(v);
            }
            else if (n is System.Text.Json.Nodes.JsonArray a)
                foreach (var v in a) Strip(v);
        }
    }

    [Test]
    public void AResumedEvaluationReadsEveryFinishedBatchAndReportsTheSame()
    {
        var plain = Run(Options(), null);
        var first = new EvaluationCheckpoint(dir, "model a");
        var written = Run(Options(), first);
        Assert.That(first.Written, Is.EqualTo(4 + 4 + 1), "4 batches each of pgd and square, one cascade entry for the ensemble");
        Assert.That(written.ResumedOutcomes, Is.Zero);

        // A run killed after some batches left only those: delete three of the nine entries.
        foreach (var file in Directory.GetFiles(dir).Order().Take(3)) File.Delete(file);
        var second = new EvaluationCheckpoint(dir, "model a");
        var resumed = Run(Options(), second);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.Reused, Is.EqualTo(6), "the six entries left are read");
            Assert.That(second.Written, Is.EqualTo(3), "only the deleted ones run again");
            Assert.That(resumed.ResumedOutcomes, Is.EqualTo(6));
            Assert.That(Content(resumed), Is.EqualTo(Content(written)), "resumed = uninterrupted");
            Assert.That(Content(written), Is.EqualTo(Content(plain)), "keeping a checkpoint changes nothing but time");
        }
        Assert.That(written.Attacks.Any(a => a.RobustAccuracy > 0 && a.RobustAccuracy < written.CleanAccuracy), "the test needs attacks that break some samples and not others");
    }

    [Test]
    public void WhatChangesABatchRunsAgain()
    {
        Run(Options(), new EvaluationCheckpoint(dir, "model a"));
        var otherScope = new EvaluationCheckpoint(dir, "model b");
        Run(Options(), otherScope);
        var otherSteps = new EvaluationCheckpoint(dir, "model a");
        Run(Options(pgdSteps: 7), otherSteps);
        var otherSeed = new EvaluationCheckpoint(dir, "model a");
        Run(Options() with { Seed = 8 }, otherSeed);
        var appended = new EvaluationCheckpoint(dir, "model a");
        Run(Options() with { Attacks = [.. Options().Attacks, new("fgsm")] }, appended);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(otherScope.Reused, Is.Zero, "another model's outcomes are never read");
            Assert.That(otherSteps.Reused, Is.EqualTo(5), "changing pgd's steps reruns pgd only");
            Assert.That(otherSeed.Reused, Is.Zero, "another seed reruns everything");
            Assert.That(appended.Reused, Is.EqualTo(9), "an attack added at the end runs alone");
            Assert.That(appended.Written, Is.EqualTo(4));
        }
    }

    [Test]
    public void AnUnreadableEntryIsRecomputedNotTrusted()
    {
        var first = Run(Options(), new EvaluationCheckpoint(dir, "model a"));
        var files = Directory.GetFiles(dir).Order().ToList();
        File.WriteAllText(files[0], "{ \"identity\": ");
        var text = File.ReadAllText(files[1]);
        File.WriteAllText(files[1], text.Replace("\"identity\": \"", "\"identity\": \"stale "));
        var again = new EvaluationCheckpoint(dir, "model a");
        var report = Run(Options(), again);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.Reused, Is.EqualTo(7));
            Assert.That(again.Written, Is.EqualTo(2));
            Assert.That(Content(report), Is.EqualTo(Content(first)));
        }
    }
}
