using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Attacks;

/// <summary>
/// Early stopping, nested epsilon grids and worker threads do less work without changing what is measured: the same
/// samples succeed as in the loss-maximising run with the same seed, every returned example is adversarial and inside
/// the ball, the attack's logits are those of its examples, and the report does not depend on the worker count.
/// </summary>
[TestFixture]
public sealed class EarlyStopTests
{
    private AttackFixture f = null!;

    [OneTimeSetUp] public void SetUp() => f = new AttackFixture();
    [OneTimeTearDown] public void TearDown() => f.Dispose();

    /// <summary>Iterative attacks that honour early stopping, with settings small enough for a fast test.</summary>
    public static IEnumerable<TestCaseData> IterativeAttacks()
    {
        TestCaseData Row(string name, params (string, double)[] args) =>
            new TestCaseData(name, args.ToDictionary(a => a.Item1, a => a.Item2)).SetName($"{{m}}({name})");
        yield return Row("bim", ("steps", 8));
        yield return Row("pgd", ("steps", 8), ("restarts", 2));
        yield return Row("pgd-l2", ("steps", 8));
        yield return Row("mi-fgsm", ("steps", 8));
        yield return Row("apgd-ce", ("steps", 12));
        yield return Row("apgd-t", ("steps", 12), ("targets", 3));
        yield return Row("ensemble", ("steps", 10), ("targets", 2), ("queries", 40));
    }

    private AttackResult Run(Attack attack, double[] eps, AttackMode mode, bool nested = false, Criterion? criterion = null)
    {
        using var g = new Generator(LabContext.DeriveSeed(3, 1), CPU);
        return attack.Run(f.Model, f.X, f.Y, eps, criterion, g, default, mode, nested);
    }

    private static double[] Budgets(Attack a) => a.Distance == Distance.L2 ? [0.5, 1.0, 1.5] : [0.03, 0.06, 0.1];

    [TestCaseSource(nameof(IterativeAttacks))]
    public void EarlyStopSucceedsOnExactlyTheSamplesTheLossMaximisingRunBreaks(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        var eps = Budgets(attack);
        using var full = Run(attack, eps, AttackMode.MaximizeLoss);
        using var early = Run(attack, eps, AttackMode.EarlyStop);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(early.Mode, Is.EqualTo(AttackMode.EarlyStop));
            Assert.That(full.Mode, Is.EqualTo(AttackMode.MaximizeLoss));
            for (int e = 0; e < eps.Length; e++)
            {
                Assert.That(early.Success[e], Is.EqualTo(full.Success[e]), $"eps {eps[e]}: same samples broken");
                Assert.That(early.SuccessRate(e), Is.GreaterThan(0).And.LessThan(1), $"eps {eps[e]}: the test needs broken and robust samples");
                Assert.That(early.GradientEvaluations[e], Is.LessThanOrEqualTo(full.GradientEvaluations[e]), $"eps {eps[e]}: early stop never costs more");
            }
            Assert.That(early.GradientEvaluations.Sum(), Is.LessThan(full.GradientEvaluations.Sum()), "early stop saves gradient evaluations");
        }
    }

    [TestCaseSource(nameof(IterativeAttacks))]
    public void EarlyStopExamplesAreAdversarialInsideTheBallWithTheirOwnLogits(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        var eps = Budgets(attack);
        using var early = Run(attack, eps, AttackMode.EarlyStop, nested: true);
        using var scope = NewDisposeScope();
        using (Assert.EnterMultipleScope())
        {
            for (int e = 0; e < eps.Length; e++)
            {
                var adv = early.Adversarials[e];
                var fresh = f.Model.Predict(adv);
                Assert.That(early.Logits![e].sub(fresh).abs().max().item<float>(), Is.LessThan(1e-3f), $"eps {eps[e]}: logits are the examples' logits");
                var broken = fresh.argmax(1).ne(f.Y).cpu().data<bool>().ToArray();
                for (int i = 0; i < broken.Length; i++)
                    if (early.Success[e][i]) Assert.That(broken[i], Is.True, $"eps {eps[e]}, sample {i}: a success is misclassified");
                var norms = attack.Distance.Measure(adv - f.X).cpu().data<float>().ToArray();
                Assert.That(norms.Max(), Is.LessThanOrEqualTo(eps[e] + 1e-5), $"eps {eps[e]}: inside the ball");
                Assert.That(adv.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
                Assert.That(adv.max().item<float>(), Is.LessThanOrEqualTo(1f));
            }
        }
    }

    [TestCaseSource(nameof(IterativeAttacks))]
    public void NestedGridBreaksEverySampleTheIndependentGridBreaksAndIsMonotone(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        var eps = Budgets(attack).Reverse().ToArray(); // given out of order on purpose
        using var independent = Run(attack, eps, AttackMode.EarlyStop);
        using var nested = Run(attack, eps, AttackMode.EarlyStop, nested: true);
        Assert.That(nested.NestedEpsilons, Is.True);
        using (Assert.EnterMultipleScope())
        {
            // eps are decreasing here: success at e+1 (smaller) implies success at e.
            for (int e = 0; e + 1 < eps.Length; e++)
                for (int i = 0; i < nested.Count; i++)
                    if (nested.Success[e + 1][i]) Assert.That(nested.Success[e][i], Is.True, $"sample {i} broken at {eps[e + 1]} but not at {eps[e]}");
            for (int e = 0; e < eps.Length; e++)
                for (int i = 0; i < nested.Count; i++)
                    if (independent.Success[e][i]) Assert.That(nested.Success[e][i], Is.True, $"eps {eps[e]}, sample {i}");
            long nestedCost = nested.GradientEvaluations.Sum() + nested.Queries.Sum(), independentCost = independent.GradientEvaluations.Sum() + independent.Queries.Sum();
            Assert.That(nestedCost, Is.LessThan(independentCost), "the nested grid attacks fewer samples");
        }
    }

    [Test]
    public void TargetedEarlyStopMatchesTheLossMaximisingRun()
    {
        var attack = AttackRegistry.Create("pgd", new Dictionary<string, double> { ["steps"] = 10 });
        using var full = Run(attack, [0.1, 0.2], AttackMode.MaximizeLoss, criterion: Criterion.RandomTarget);
        using var early = Run(attack, [0.1, 0.2], AttackMode.EarlyStop, criterion: Criterion.RandomTarget);
        Assert.That(early.Success, Is.EqualTo(full.Success));
        Assert.That(early.Targets, Is.EqualTo(full.Targets));
    }

    [Test]
    public void ReportRecordsTheModeAndDoesNotDependOnTheWorkerCount()
    {
        RobustnessOptions Options(int workers, AttackMode mode) => new()
        {
            Attacks = [new("fgsm"), new("pgd", new Dictionary<string, double> { ["steps"] = 6 }), new("square", new Dictionary<string, double> { ["queries"] = 30 })],
            Epsilons = [0, 0.05, 0.1],
            Samples = 100,
            BatchSize = 25,
            Mode = mode,
            Workers = workers,
        };
        var one = RobustnessEvaluation.Run(f.Model, f.Data.Test, Options(1, AttackMode.EarlyStop));
        var two = RobustnessEvaluation.Run(f.Model, f.Data.Test, Options(2, AttackMode.EarlyStop));
        var full = RobustnessEvaluation.Run(f.Model, f.Data.Test, Options(1, AttackMode.MaximizeLoss) with { NestedEpsilons = false });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(torch.get_num_threads(), Is.EqualTo(f.Context.Threads), "workers leave the caller's thread count as it was");
            Assert.That(two.Attacks.Select(r => r with { Seconds = 0 }), Is.EqualTo(one.Attacks.Select(r => r with { Seconds = 0 })), "2 workers = 1 worker");
            Assert.That(two.WorstCase.Select(w => w.RobustAccuracy), Is.EqualTo(one.WorstCase.Select(w => w.RobustAccuracy)));
            Assert.That(one.Attacks.Single(r => r.Attack == "pgd" && r.Eps == 0.1).Mode, Is.EqualTo("early-stop"));
            Assert.That(one.Attacks.Single(r => r.Attack == "pgd" && r.Eps == 0.1).EpsilonGrid, Is.EqualTo("nested"));
            Assert.That(one.Attacks.Single(r => r.Attack == "fgsm" && r.Eps == 0.1).Mode, Is.EqualTo("max-loss"), "FGSM has no steps to stop");
            Assert.That(full.Attacks.Single(r => r.Attack == "square" && r.Eps == 0.1).Mode, Is.EqualTo("early-stop"), "Square always stops at the first success");
            Assert.That(full.Attacks.Single(r => r.Attack == "pgd" && r.Eps == 0.1).Mode, Is.EqualTo("max-loss"));
            foreach (var r in one.Attacks.Where(r => r.Attack == "pgd"))
            {
                var m = full.Attacks.Single(x => x.Attack == r.Attack && x.Eps == r.Eps);
                Assert.That(r.RobustAccuracy, Is.LessThanOrEqualTo(m.RobustAccuracy).And.GreaterThanOrEqualTo(m.RobustAccuracy - 0.02), $"pgd eps {r.Eps}");
                if (r.Eps > 0) Assert.That(r.GradientEvals ?? 0, Is.LessThan(m.GradientEvals ?? 0), $"pgd eps {r.Eps}: fewer gradients");
            }
        }
    }

    [Test]
    public void AnEnsemblesLanesGiveTheSameReportOnOneThreadTwoThreadsAndTwoWorkers()
    {
        // AutoAttack's four members: APGD-T and FAB-T in one lane, Square in the other. One thread runs the lanes one
        // after the other, two threads or two workers side by side; the sets and the streams are the same.
        RobustnessOptions Options(int workers) => new()
        {
            Attacks = [new("autoattack", new Dictionary<string, double> { ["steps"] = 5, ["targets"] = 2, ["queries"] = 40 })],
            Epsilons = [0.03, 0.1],
            Samples = 60,
            BatchSize = 25,
            Workers = workers,
        };
        int caller = torch.get_num_threads();
        try
        {
            torch.set_num_threads(1);
            var oneThread = RobustnessEvaluation.Run(f.Model, f.Data.Test, Options(1));
            torch.set_num_threads(2);
            var twoThreads = RobustnessEvaluation.Run(f.Model, f.Data.Test, Options(1));
            Assert.That(torch.get_num_threads(), Is.EqualTo(2), "the lanes leave the caller's count as it was");
            var twoWorkers = RobustnessEvaluation.Run(f.Model, f.Data.Test, Options(2));
            static object Key(RobustnessReport r) => r.Attacks.Select(a => (a with { Seconds = 0, Stages = null },
                string.Join(";", a.Stages!.Select(s => $"{s.Attack} {s.Attacked} {s.Broken} {s.GradientEvals} {s.Queries}")))).ToList();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Key(twoThreads), Is.EqualTo(Key(oneThread)), "2 threads = 1 thread");
                Assert.That(Key(twoWorkers), Is.EqualTo(Key(oneThread)), "2 workers = 1 thread");
                var stages = oneThread.Attacks.Single(a => a.Eps == 0.1).Stages!;
                Assert.That(stages.Select(s => s.Attack), Is.EqualTo(AutoAttack.Order));
                Assert.That(stages[^1].Attacked, Is.EqualTo(stages[0].Attacked - stages[0].Broken), "square runs on what apgd-ce left");
            }
        }
        finally { torch.set_num_threads(caller); }
    }

    [Test]
    public void AnEnsemblesPartialBatchRunsOnOneThreadAndTheCallersCountComesBack()
    {
        int caller = torch.get_num_threads();
        torch.set_num_threads(2);
        try
        {
            using (SampleWorkers.IntraOpThreads(1)) Assert.That(torch.get_num_threads(), Is.EqualTo(1));
            Assert.That(torch.get_num_threads(), Is.EqualTo(2), "the count before the scope comes back");
            Assert.That(SampleWorkers.IntraOpThreads(4), Is.Null, "never raises the count");
            // 60 samples in batches of 25: every member's last group is partial, and runs narrowed.
            var report = RobustnessEvaluation.Run(f.Model, f.Data.Test, new RobustnessOptions
            {
                Attacks = [new("ensemble", new Dictionary<string, double> { ["steps"] = 4, ["targets"] = 2, ["queries"] = 20 })],
                Epsilons = [0.1],
                Samples = 60,
                BatchSize = 25,
            });
            Assert.That(report.Attacks.Single(r => r.Eps == 0.1).Stages, Is.Not.Empty);
            Assert.That(torch.get_num_threads(), Is.EqualTo(2), "the evaluation leaves the caller's count as it was");
        }
        finally { torch.set_num_threads(caller); }
    }
}
