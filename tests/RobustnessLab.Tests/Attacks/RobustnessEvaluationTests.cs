using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Evaluation;

namespace RobustnessLab.Tests.Attacks;

/// <summary>The robustness report: schema, the relations between its numbers, worst case, flags, bad input.</summary>
[TestFixture]
public sealed class RobustnessEvaluationTests
{
    private AttackFixture f = null!;

    [OneTimeSetUp] public void SetUp() => f = new AttackFixture();
    [OneTimeTearDown] public void TearDown() => f.Dispose();

    private RobustnessReport Evaluate(RobustnessOptions o) => RobustnessEvaluation.Run(f.Model, f.Data.Test, o);

    [Test]
    public void ReportHasTheIssueSchemaAndConsistentNumbers()
    {
        var report = Evaluate(new RobustnessOptions
        {
            Attacks = [new("fgsm"), new("pgd", new Dictionary<string, double> { ["steps"] = 5 }), new("square", new Dictionary<string, double> { ["queries"] = 40 })],
            Epsilons = [0, 0.05, 0.15],
            Samples = 100,
            BatchSize = 40,
            MinimalEpsilonAttack = new("fgsm"),
            BisectionSteps = 6,
        });
        var json = JsonNode.Parse(Json.Serialize(report))!.AsObject();
        var row = json["attacks"]![0]!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            foreach (var key in new[] { "clean_accuracy", "attacks", "worst_case", "flags" })
                Assert.That(json.ContainsKey(key), Is.True, key);
            foreach (var key in new[] { "attack", "norm", "eps", "targeted", "robust_accuracy", "success_rate_correct", "success_rate_all",
                         "mean_adv_confidence", "max_linf", "mean_l2", "seconds", "gradient_evals" })
                Assert.That(row.ContainsKey(key), Is.True, key);
            // One Square row per epsilon; every one counts its queries.
            var squareRows = json["attacks"]!.AsArray().Where(a => a!["attack"]!.GetValue<string>() == "square").ToList();
            Assert.That(squareRows, Has.Count.EqualTo(3));
            Assert.That(squareRows.All(a => a!.AsObject().ContainsKey("queries")), Is.True);
            Assert.That(report.Attacks, Has.Count.EqualTo(9));
            foreach (var r in report.Attacks)
            {
                Assert.That(r.SuccessRateAll, Is.EqualTo(1 - r.RobustAccuracy).Within(1e-9), $"{r.Attack} {r.Eps}: untargeted success over all = 1 - robust accuracy");
                Assert.That(r.MaxLinf, Is.LessThanOrEqualTo(r.Eps + 1e-6), $"{r.Attack} {r.Eps}");
                if (r.Eps == 0) Assert.That(r.RobustAccuracy, Is.EqualTo(report.CleanAccuracy), $"{r.Attack} at eps 0");
            }
            foreach (var w in report.WorstCase)
                Assert.That(w.RobustAccuracy, Is.LessThanOrEqualTo(report.Attacks.Where(a => a.Eps == w.Eps).Min(a => a.RobustAccuracy)), $"worst case at {w.Eps}");
            Assert.That(report.MinimalEpsilon, Is.Not.Null);
            Assert.That(report.MinimalEpsilon!.Samples, Is.EqualTo((int)Math.Round(report.CleanAccuracy * 100)));
        }
    }

    [Test]
    public void ASampleMisclassifiedCleanIsNeverRobustEvenWhereTheAttackLandsOnItsClass()
    {
        // A loss-maximising step can move a misclassified sample onto its class (std cnn, FGSM at 0.1: 4 of 10,000).
        // Make that happen for sure: run FGSM once with a checkpoint, then edit one saved outcome so that a sample the
        // model misclassifies clean is classified correctly after the attack, and read the run back from it.
        var dir = Directory.CreateTempSubdirectory("rl-robust-def-").FullName;
        try
        {
            var o = new RobustnessOptions { Attacks = [new("fgsm")], Epsilons = [0, 0.1], Samples = 100, BatchSize = 100 };
            var before = RobustnessEvaluation.Run(f.Model, f.Data.Test, o, checkpoint: new EvaluationCheckpoint(dir, "definition"));
            var labels = f.Data.Test.Labels.narrow(0, 0, 100).cpu().data<long>().ToArray();
            var file = Directory.GetFiles(dir).Single();
            var saved = JsonNode.Parse(File.ReadAllText(file))!.AsObject();
            var predictions = saved["value"]!["predictions"]!.AsArray();
            int wrong = Enumerable.Range(0, 100).First(i => predictions[0]![i]!.GetValue<long>() != labels[i]);
            Assert.That(predictions[1]![wrong]!.GetValue<long>(), Is.Not.EqualTo(labels[wrong]), "the sample starts broken at 0.1 too");
            predictions[1]![wrong] = labels[wrong];
            File.WriteAllText(file, saved.ToJsonString());

            var after = RobustnessEvaluation.Run(f.Model, f.Data.Test, o, checkpoint: new EvaluationCheckpoint(dir, "definition"));
            var (was, now) = (before.Attacks.Single(a => a.Eps == 0.1), after.Attacks.Single(a => a.Eps == 0.1));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(after.ResumedOutcomes, Is.EqualTo(1), "the edited outcome was read, not recomputed");
                Assert.That(now.RobustAccuracy, Is.EqualTo(was.RobustAccuracy), "robust needs the clean image right as well: the clean image is in the ball");
                Assert.That(now.RobustAccuracy, Is.EqualTo(after.WorstCase.Single(w => w.Eps == 0.1).RobustAccuracy), "one attack: its row is the worst case");
                Assert.That(now.SuccessRateAll, Is.EqualTo(1 - now.RobustAccuracy).Within(1e-12), "a sample misclassified clean counts as broken");
                Assert.That(now.AccuracyUnderAttack, Is.EqualTo(was.AccuracyUnderAttack + 0.01).Within(1e-12), "the step onto its class still shows");
                foreach (var r in after.Attacks) Assert.That(r.RobustAccuracy, Is.LessThanOrEqualTo(after.CleanAccuracy), $"eps {r.Eps}");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void BisectedMinimalEpsilonIsWhereFgsmStartsToSucceed()
    {
        using var scope = TorchSharp.torch.NewDisposeScope();
        var attack = new RobustnessLab.Attacks.Fgsm();
        var eps = MinimalEpsilon.Search(f.Model, attack, f.X, f.Y, 0.5, 8);
        var labels = f.Y.cpu().data<long>().ToArray();
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < eps.Length; i++)
            {
                if (double.IsInfinity(eps[i]) || eps[i] == 0) continue;
                var xi = f.X.narrow(0, i, 1);
                var yi = f.Y.narrow(0, i, 1);
                var at = attack.Generate(f.Model, xi, yi, eps[i]);
                Assert.That(f.Model.Predict(at).argmax(1).item<long>(), Is.Not.EqualTo(labels[i]), $"sample {i}: not broken at its minimal eps {eps[i]}");
            }
        }
    }

    [Test]
    public void TheTrainingRadiusComesFromTheObjectiveAndItsArguments()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RobustnessLab.Training.TrainingObjectives.Radius("pgd", new Dictionary<string, double> { ["eps"] = 0.3 }), Is.EqualTo(new RobustnessLab.Training.TrainingRadius("linf", 0.3)));
            Assert.That(RobustnessLab.Training.TrainingObjectives.Radius("fgsm-rs", new Dictionary<string, double>()), Is.EqualTo(new RobustnessLab.Training.TrainingRadius("linf", 0.1)), "the objective's default eps");
            Assert.That(RobustnessLab.Training.TrainingObjectives.Radius("pgd-l2", new Dictionary<string, double> { ["eps"] = 0.5 })!.Norm, Is.EqualTo("l2"));
            Assert.That(RobustnessLab.Training.TrainingObjectives.Radius("standard", new Dictionary<string, double>()), Is.Null);
            Assert.That(RobustnessLab.Training.TrainingObjectives.Radius("no-such-objective", new Dictionary<string, double>()), Is.Null);
        }
    }

    [Test]
    public void FlagsFireOnTheSymptomsTheyNameAndNotOnAHealthyReport()
    {
        AttackRecord R(string attack, double eps, double acc) => new()
        {
            Attack = attack, Norm = "linf", Eps = eps, Targeted = false, RobustAccuracy = acc, SuccessRateCorrect = 0, SuccessRateAll = 1 - acc,
            MeanAdvConfidence = 0.5, MaxLinf = eps, MeanL2 = 0, MeanL0 = 0, Seconds = 0,
        };
        WorstCaseRecord W(double eps, double acc) => new("linf", eps, acc, ["x"], []);
        var healthy = SanityFlags.Compute(0.9, [R("fgsm", 0.1, 0.3), R("pgd", 0.1, 0.05), R("square", 0.1, 0.2), R("fgsm", 0.2, 0.1), R("pgd", 0.2, 0.0)],
            [W(0.1, 0.05), W(0.2, 0.0)], 0, 1000, 10, 0.1);
        var rising = SanityFlags.Compute(0.9, [R("pgd", 0.1, 0.2), R("pgd", 0.2, 0.4)], [W(0.2, 0.05)], 0, 1000, 10, 0.1);
        var weaker = SanityFlags.Compute(0.9, [R("fgsm", 0.1, 0.1), R("pgd", 0.1, 0.5)], [W(0.1, 0.05)], 0, 1000, 10, 0.1);
        var square = SanityFlags.Compute(0.9, [R("pgd", 0.1, 0.5), R("square", 0.1, 0.2)], [W(0.1, 0.05)], 0, 1000, 10, 0.1);
        // Label leaking shows in the accuracy on FGSM's images (above clean); robust accuracy never exceeds clean.
        var leaking = SanityFlags.Compute(0.8, [R("fgsm", 0.1, 0.5) with { AccuracyUnderAttack = 0.9 }, R("pgd", 0.1, 0.02)], [W(0.1, 0.02)], 0, 1000, 10, 0.1);
        var zero = SanityFlags.Compute(0.9, [R("pgd", 0.1, 0.05)], [W(0.1, 0.05)], 0.2, 1000, 10, 0.1);
        var chance = SanityFlags.Compute(0.9, [R("pgd", 0.1, 0.6)], [W(0.1, 0.6)], 0, 1000, 10, 0.1);
        var impossible = SanityFlags.Compute(0.9, [R("pgd", 0.5, 0.6)], [W(0.5, 0.6)], 0, 1000, 10, 0.1);
        EnsembleStageRecord S(string attack, int attacked, int broken) => new() { Attack = attack, Attacked = attacked, Broken = broken, RobustAccuracyAfter = 0, Seconds = 0 };
        AttackRecord Auto(int squareBroke) => R("autoattack", 0.3, (477 - squareBroke) / 1000.0) with
        {
            // The PGD-AT eps 0.3 run of pgd-at-fmnist-0.3.yaml: square broke 72 points the gradient members had left.
            Stages = [S("apgd-ce", 768, 268), S("apgd-t", 500, 23), S("fab-t", 477, 0), S("square", 477, squareBroke)],
        };
        // The curve run's PGD-AT model (trained at Linf 0.1) at eps 0.2: fgsm 0.576, apgd-t 0.116.
        AttackRecord[] gap = [R("fgsm", 0.1, 0.5), R("apgd-t", 0.1, 0.1)];
        var catastrophic = SanityFlags.Compute(0.85, gap, [W(0.1, 0.1)], 0, 1000, 10, 0.1);
        var trainedBeyond = SanityFlags.Compute(0.85, gap, [W(0.1, 0.1)], 0, 1000, 10, 0.1, new RobustnessLab.Training.TrainingRadius("linf", 0.05));
        var trainedWithin = SanityFlags.Compute(0.85, gap, [W(0.1, 0.1)], 0, 1000, 10, 0.1, new RobustnessLab.Training.TrainingRadius("linf", 0.1));
        var trainedOtherNorm = SanityFlags.Compute(0.85, gap, [W(0.1, 0.1)], 0, 1000, 10, 0.1, new RobustnessLab.Training.TrainingRadius("l2", 0.05));
        var maskedInside = SanityFlags.Compute(0.768, [Auto(72)], [W(0.3, 0.405)], 0, 1000, 10, 0.1);
        var healthyInside = SanityFlags.Compute(0.768, [Auto(3)], [W(0.3, 0.474)], 0, 1000, 10, 0.1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(healthy, Is.Empty);
            Assert.That(rising, Has.Some.Contains("rises with eps"));
            Assert.That(weaker, Has.Some.Contains("weaker attack beats stronger"));
            Assert.That(square, Has.Some.Contains("square beats every white-box"));
            Assert.That(leaking, Has.Some.Contains("above clean").And.Some.Contains("catastrophic overfitting"));
            Assert.That(zero, Has.Some.Contains("zero input gradient"));
            Assert.That(chance, Has.Some.Contains("above chance"));
            Assert.That(impossible, Has.Some.Contains("impossible"));
            Assert.That(maskedInside, Has.Some.EqualTo("inside autoattack at linf eps 0.3: black-box square broke 72 of the 477 points apgd-ce, apgd-t, fab-t left robust (7.2% of samples): gradient masking likely"));
            Assert.That(healthyInside, Has.None.Contains("masking"), "3 of 1,000 is within what seeds move");
            Assert.That(catastrophic, Has.Some.Contains("catastrophic overfitting at eps 0.1:"), "a model with no known training radius is flagged at any eps");
            Assert.That(trainedBeyond, Has.None.Contains("catastrophic"), "beyond its training eps an adversarially trained model's fgsm gap is expected");
            Assert.That(trainedWithin, Has.Some.Contains("catastrophic overfitting at eps 0.1:"), "at its training eps it is the symptom Wong et al. name");
            Assert.That(trainedOtherNorm, Has.Some.Contains("catastrophic overfitting at eps 0.1:"), "an L2 training radius says nothing about Linf");
        }
    }

    [Test]
    public void BadOptionsGiveClearErrors()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => Evaluate(new RobustnessOptions { Epsilons = [-0.1] }), Throws.TypeOf<LabException>().With.Message.Contains("[0, 1]"));
            Assert.That(() => Evaluate(new RobustnessOptions { Epsilons = [2] }), Throws.TypeOf<LabException>().With.Message.Contains("pixel units"));
            Assert.That(() => Evaluate(new RobustnessOptions { Attacks = [new("fgsmm")] }), Throws.TypeOf<LabException>().With.Message.Contains("valid:"));
            Assert.That(() => Evaluate(new RobustnessOptions { Target = RobustnessLab.Attacks.TargetRule.Given }), Throws.TypeOf<LabException>().With.Message.Contains("target class"));
            Assert.That(() => Evaluate(new RobustnessOptions { Target = RobustnessLab.Attacks.TargetRule.Given, TargetClass = 9 }),
                Throws.TypeOf<LabException>().With.Message.Contains("out of range"));
            using var wrong = TestSupport.Toy(train: 8, test: 8, size: 16, classes: 5);
            Assert.That(() => RobustnessEvaluation.Run(f.Model, wrong.Test, new RobustnessOptions()), Throws.TypeOf<LabException>().With.Message.Contains("does not match"));
        }
    }
}
