using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Attacks;

/// <summary>
/// The invariants every attack must keep (see the README's Attacks section), checked for every registered attack on a small
/// seeded model: budgets and [0,1] held, eps 0 a no-op, model state untouched, seeds reproducible, batch-size
/// independence, monotone bookkeeping, FGSM against an independent computation, targeted semantics, bad input.
/// </summary>
[TestFixture]
public sealed class AttackInvariantTests
{
    private AttackFixture f = null!;

    [OneTimeSetUp] public void SetUp() => f = new AttackFixture();
    [OneTimeTearDown] public void TearDown() => f.Dispose();

    /// <summary>Every attack, with settings small enough for a fast test.</summary>
    public static IEnumerable<TestCaseData> AllAttacks()
    {
        var small = new Dictionary<string, Dictionary<string, double>>
        {
            ["bim"] = new() { ["steps"] = 5 },
            ["pgd"] = new() { ["steps"] = 5, ["restarts"] = 2 },
            ["pgd-l2"] = new() { ["steps"] = 5 },
            ["mi-fgsm"] = new() { ["steps"] = 5 },
            ["apgd-ce"] = new() { ["steps"] = 10 },
            ["apgd-t"] = new() { ["steps"] = 10, ["targets"] = 2 },
            ["square"] = new() { ["queries"] = 60 },
            ["deepfool"] = new() { ["steps"] = 10 },
            ["deepfool-linf"] = new() { ["steps"] = 10 },
            ["cw"] = new() { ["search_steps"] = 2, ["steps"] = 15 },
            ["ensemble"] = new() { ["steps"] = 10, ["targets"] = 2, ["queries"] = 40 },
            ["fab-t"] = new() { ["steps"] = 10, ["targets"] = 2 },
            ["autoattack"] = new() { ["steps"] = 10, ["targets"] = 2, ["queries"] = 40 },
        };
        foreach (var name in AttackRegistry.Names)
            yield return new TestCaseData(name, small.GetValueOrDefault(name) ?? new Dictionary<string, double>()).SetName($"{{m}}({name})");
    }

    private static double[] Budgets(Attack a) => a.Distance == Distance.L2 ? [0.5, 1.5] : [0.03, 0.1];

    private AttackResult Run(Attack attack, double[] eps, Criterion? criterion = null, int seed = 7, Tensor? x = null, Tensor? y = null)
    {
        using var g = new Generator(LabContext.DeriveSeed(seed, 1), CPU);
        return attack.Run(f.Model, x ?? f.X, y ?? f.Y, eps, criterion, g);
    }

    [TestCaseSource(nameof(AllAttacks))]
    public void BudgetAndValidRangeHoldAfterEveryAttack(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        var eps = Budgets(attack);
        using var r = Run(attack, eps);
        using var scope = NewDisposeScope();
        using (Assert.EnterMultipleScope())
        {
            for (int e = 0; e < eps.Length; e++)
            {
                var adv = r.Adversarials[e];
                double norm = attack.Distance.Measure(adv - f.X).max().item<float>();
                Assert.That(norm, Is.LessThanOrEqualTo(eps[e] + 1e-5), $"{attack.Distance} budget at eps {eps[e]}");
                Assert.That(adv.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
                Assert.That(adv.max().item<float>(), Is.LessThanOrEqualTo(1f));
                Assert.That(r.Success[e], Has.Length.EqualTo((int)f.X.shape[0]));
            }
            // The attacks must actually do something on this weak model at the larger budget.
            Assert.That(r.SuccessRate(eps.Length - 1), Is.GreaterThan(0.2), "success rate at the larger budget");
        }
    }

    [TestCaseSource(nameof(AllAttacks))]
    public void EpsilonZeroLeavesInputsUnchanged(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        using var r = Run(attack, [0]);
        using var scope = NewDisposeScope();
        var misclassified = f.Model.Predict(f.X).argmax(1).ne(f.Y).cpu().data<bool>().ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TestSupport.Same(r.Adversarials[0], f.X), Is.True, "adversarial at eps 0 differs from the input");
            Assert.That(r.Success[0], Is.EqualTo(misclassified), "at eps 0 only the already-misclassified count as successes");
        }
    }

    [TestCaseSource(nameof(AllAttacks))]
    public void ModelParametersGradientsBatchNormAndModeAreUntouched(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        f.Model.train();
        var before = f.Model.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone().DetachFromDisposeScope());
        // Gradients a training step left behind must survive the attack untouched (no zeroing, no accumulation).
        var grads = f.Model.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad is { IsInvalid: false } g ? g.clone().DetachFromDisposeScope() : null);
        try
        {
            using (var r = Run(attack, Budgets(attack))) { }
            using (Assert.EnterMultipleScope())
            {
                Assert.That(f.Model.training, Is.True, "caller's train mode restored");
                foreach (var (key, value) in f.Model.state_dict())
                    Assert.That(TestSupport.Same(value, before[key]), Is.True, $"{key} changed (parameters or BatchNorm statistics)");
                foreach (var (pname, p) in f.Model.named_parameters())
                {
                    var g = p.grad is { IsInvalid: false } pg ? pg : null;
                    Assert.That(g is null, Is.EqualTo(grads[pname] is null), $"{pname}: gradient appeared or vanished");
                    if (g is not null && grads[pname] is { } old) Assert.That(TestSupport.Same(g, old), Is.True, $"{pname}: gradient changed by the attack");
                }
            }
            f.Model.eval();
            using (var r = Run(attack, Budgets(attack))) { }
            Assert.That(f.Model.training, Is.False, "caller's eval mode restored");
        }
        finally
        {
            f.Model.eval();
            foreach (var t in before.Values) t.Dispose();
            foreach (var t in grads.Values) t?.Dispose();
        }
    }

    [Test]
    public void FgsmEqualsClampOfInputPlusEpsTimesSignOfIndependentGradient()
    {
        const double eps = 0.07;
        using var scope = NewDisposeScope();
        f.Model.eval();
        var x = f.X.clone().requires_grad_(true);
        // Summed like the attack (a mean would scale tiny entries toward underflow and flip their sign to 0).
        var loss = nn.functional.cross_entropy(f.Model.call(x), f.Y, reduction: nn.Reduction.Sum);
        var grad = torch.autograd.grad([loss], [x])[0];
        var expected = (f.X + grad.sign() * eps).clamp(0, 1);
        var unclipped = f.X + grad.sign() * eps;
        using var r = Run(new Fgsm(), [eps]);
        using var raw = Run(new Fgsm { Clip = false }, [eps]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((r.Adversarials[0] - expected).abs().max().item<float>(), Is.LessThanOrEqualTo(1e-6f));
            Assert.That((raw.Adversarials[0] - unclipped).abs().max().item<float>(), Is.LessThanOrEqualTo(1e-6f));
            Assert.That(raw.Adversarials[0].min().item<float>(), Is.LessThan(0f), "clip off: the paper's FGSM leaves [0,1]");
        }
    }

    public static IEnumerable<TestCaseData> TargetRules()
    {
        yield return new TestCaseData(Criterion.LeastLikely).SetName("{m}(least-likely)");
        yield return new TestCaseData(Criterion.RandomTarget).SetName("{m}(random)");
        yield return new TestCaseData(Criterion.Target(2)).SetName("{m}(given 2)");
    }

    [TestCaseSource(nameof(TargetRules))]
    public void TargetedSuccessMeansPredictionEqualsTargetOtherThanLabel(Criterion criterion)
    {
        var attack = new Pgd { Steps = 20 };
        using var r = Run(attack, [0.3], criterion);
        using var scope = NewDisposeScope();
        var pred = f.Model.Predict(r.Adversarials[0]).argmax(1).cpu().data<long>().ToArray();
        var labels = f.Y.cpu().data<long>().ToArray();
        int hits = 0;
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < pred.Length; i++)
            {
                bool expected = pred[i] == r.Targets[i] && r.Targets[i] != labels[i];
                Assert.That(r.Success[0][i], Is.EqualTo(expected), $"sample {i}: pred {pred[i]}, target {r.Targets[i]}, label {labels[i]}");
                if (criterion is TargetedMisclassification { Rule: not TargetRule.Given })
                    Assert.That(r.Targets[i], Is.Not.EqualTo(labels[i]), $"sample {i}: target equals the label");
                if (expected) hits++;
            }
            // Least-likely targets are the hardest (22 of 48 measured); random and given ones are mostly reached.
            int needed = criterion is TargetedMisclassification { Rule: TargetRule.LeastLikely } ? pred.Length / 4 : pred.Length / 2;
            Assert.That(hits, Is.GreaterThan(needed), "a targeted PGD at eps 0.3 should reach many targets on this model");
        }
    }

    [Test]
    public void LeastLikelyTargetIsTheLowestScoringOtherClass()
    {
        using var scope = NewDisposeScope();
        var logits = tensor(new float[,] { { 5, 1, -3, 0 }, { -9, 2, 3, 4 } });
        var labels = tensor(new long[] { 0, 0 });
        var t = Criterion.LeastLikely.ResolveTargets(labels, logits, null).data<long>().ToArray();
        Assert.That(t, Is.EqualTo(new long[] { 2, 1 }), "the label itself is never the least-likely target");
    }

    public static IEnumerable<TestCaseData> DeterministicAttacks()
    {
        yield return new TestCaseData("fgsm", new Dictionary<string, double>());
        yield return new TestCaseData("bim", new Dictionary<string, double> { ["steps"] = 5 });
        yield return new TestCaseData("mi-fgsm", new Dictionary<string, double> { ["steps"] = 5 });
        yield return new TestCaseData("pgd", new Dictionary<string, double> { ["steps"] = 5, ["random_start"] = 0 });
        yield return new TestCaseData("deepfool", new Dictionary<string, double> { ["steps"] = 10 });
        yield return new TestCaseData("cw", new Dictionary<string, double> { ["search_steps"] = 2, ["steps"] = 10 });
        yield return new TestCaseData("fab-t", new Dictionary<string, double> { ["steps"] = 10, ["targets"] = 2 });
    }

    [TestCaseSource(nameof(DeterministicAttacks))]
    public void ResultsDoNotDependOnBatchSize(string name, Dictionary<string, double> args)
    {
        var attack = AttackRegistry.Create(name, args);
        var eps = Budgets(attack);
        using var whole = Run(attack, eps);
        using var first = Run(attack, eps, x: f.X.narrow(0, 0, 16), y: f.Y.narrow(0, 0, 16));
        using var rest = Run(attack, eps, x: f.X.narrow(0, 16, 32), y: f.Y.narrow(0, 16, 32));
        using var scope = NewDisposeScope();
        using (Assert.EnterMultipleScope())
        {
            for (int e = 0; e < eps.Length; e++)
            {
                var joined = cat([first.Adversarials[e], rest.Adversarials[e]], 0);
                // Batched convolutions differ in the last float bit, which can flip the sign of a near-zero gradient
                // entry (a whole step for that pixel) or tip a sample sitting on the boundary. A batch-dependence bug
                // (mean-reduced loss, BatchNorm in train mode) changes most pixels and many samples.
                double differing = (joined - whole.Adversarials[e]).abs().gt(1e-5).to(ScalarType.Float32).mean().item<float>();
                Assert.That(differing, Is.LessThan(0.02), $"fraction of pixels that differ at eps {eps[e]}");
                int flips = first.Success[e].Concat(rest.Success[e]).Zip(whole.Success[e]).Count(p => p.First != p.Second);
                Assert.That(flips, Is.LessThanOrEqualTo(1), $"samples whose success differs at eps {eps[e]}");
            }
        }
    }

    [TestCase("pgd")]
    [TestCase("apgd-ce")]
    [TestCase("apgd-t")]
    [TestCase("square")]
    [TestCase("ensemble")]
    [TestCase("fab-t")]
    [TestCase("autoattack")]
    public void RepeatedRunsWithTheSameSeedAreIdentical(string name)
    {
        var args = name switch
        {
            "pgd" => new Dictionary<string, double> { ["steps"] = 5 },
            "square" => new Dictionary<string, double> { ["queries"] = 50 },
            "ensemble" or "autoattack" => new Dictionary<string, double> { ["steps"] = 5, ["targets"] = 2, ["queries"] = 30 },
            "fab-t" => new Dictionary<string, double> { ["steps"] = 8, ["targets"] = 2, ["restarts"] = 2 },
            _ => new Dictionary<string, double> { ["steps"] = 8 },
        };
        var attack = AttackRegistry.Create(name, args);
        using var a = Run(attack, [0.05], seed: 3);
        using var b = Run(attack, [0.05], seed: 3);
        Assert.That(TestSupport.Same(a.Adversarials[0], b.Adversarials[0]), Is.True);
    }

    [Test]
    public void MoreStepsOrRestartsNeverLowerSuccessPerSample()
    {
        const double eps = 0.04;
        using var s5 = Run(new Pgd { Steps = 5, StepSize = 0.01 }, [eps], seed: 11);
        using var s20 = Run(new Pgd { Steps = 20, StepSize = 0.01 }, [eps], seed: 11);
        using var r1 = Run(new Pgd { Steps = 5, StepSize = 0.01, Restarts = 1 }, [eps], seed: 11);
        using var r4 = Run(new Pgd { Steps = 5, StepSize = 0.01, Restarts = 4 }, [eps], seed: 11);
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < s5.Count; i++)
            {
                if (s5.Success[0][i]) Assert.That(s20.Success[0][i], Is.True, $"sample {i}: broken by 5 steps, not by 20");
                if (r1.Success[0][i]) Assert.That(r4.Success[0][i], Is.True, $"sample {i}: broken by 1 restart, not by 4");
            }
            // The comparison is only meaningful if the budget leaves some samples unbroken by the weaker run.
            Assert.That(s5.SuccessRate(0), Is.LessThan(1.0).And.GreaterThan(0.0), "5-step success rate should be strictly between 0 and 1 at this eps");
        }
    }

    [Test]
    public void PgdLinfProjectsAroundTheOriginalInputAtEveryStepIncludingTheRandomStart()
    {
        // With one step of zero size, PGD returns a random start: it must be inside the ball and in [0,1].
        using var r = Run(new Pgd { Steps = 1, StepSize = 1e-9, Restarts = 3 }, [0.2]);
        using var scope = NewDisposeScope();
        var delta = (r.Adversarials[0] - f.X).abs().max().item<float>();
        Assert.That(delta, Is.LessThanOrEqualTo(0.2f + 1e-6f).And.GreaterThan(0.05f));
    }

    [Test]
    public void PgdLoopsLeakNoTensors()
    {
        var attack = new Pgd { Steps = 300, StepSize = 0.005 };
        using (var warm = Run(attack, [0.05])) { }
        long live0 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        using (var r = Run(attack, [0.05])) { }
        long live1 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        // 300 steps: a leak of one tensor per step would add 300.
        Assert.That(live1 - live0, Is.LessThan(10));
    }

    [Test]
    public void BadInputGivesClearErrors()
    {
        using var scope = NewDisposeScope();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => new Pgd().Run(f.Model, f.X, f.Y, [-0.1]), Throws.TypeOf<LabException>().With.Message.Contains(">= 0"));
            Assert.That(() => new Pgd().Run(f.Model, f.X, f.Y, [1.5]), Throws.TypeOf<LabException>().With.Message.Contains("pixel units"));
            Assert.That(() => AttackRegistry.Create("pgd", new Dictionary<string, double> { ["steps"] = 0 }), Throws.TypeOf<LabException>().With.Message.Contains("steps"));
            Assert.That(() => AttackRegistry.Create("pgd", new Dictionary<string, double> { ["restarts"] = 0 }), Throws.TypeOf<LabException>().With.Message.Contains("restarts"));
            Assert.That(() => AttackRegistry.Create("pgd", new Dictionary<string, double> { ["steps"] = 2.5 }), Throws.TypeOf<LabException>().With.Message.Contains("integer"));
            Assert.That(() => AttackRegistry.Create("pgd", new Dictionary<string, double> { ["stepz"] = 2 }), Throws.TypeOf<LabException>().With.Message.Contains("valid: steps"));
            Assert.That(() => AttackRegistry.Create("pdg"), Throws.TypeOf<LabException>().With.Message.Contains("valid:").And.Message.Contains("apgd-ce"));
            Assert.That(() => new Pgd().Run(f.Model, f.X, f.Y, [0.1], new TargetedMisclassification(TargetRule.Given)),
                Throws.TypeOf<LabException>().With.Message.Contains("needs a target class"));
            Assert.That(() => new Pgd().Run(f.Model, f.X, f.Y, [0.1], Criterion.Target(17)),
                Throws.TypeOf<LabException>().With.Message.Contains("out of range"));
            Assert.That(() => new DeepFool().Run(f.Model, f.X, f.Y, [0.1], Criterion.LeastLikely),
                Throws.TypeOf<LabException>().With.Message.Contains("untargeted only"));
            var wrongShape = zeros(4, 1, 28, 28);
            Assert.That(() => new Fgsm().Run(f.Model, wrongShape, f.Y.narrow(0, 0, 4), [0.1]),
                Throws.TypeOf<LabException>().With.Message.Contains("do not match the model's input shape"));
            Assert.That(() => new Fgsm().Run(f.Model, f.X, f.Y.narrow(0, 0, 4), [0.1]), Throws.TypeOf<LabException>().With.Message.Contains("one label per input"));
        }
    }
}
