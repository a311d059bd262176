using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Evaluation;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Attacks;

/// <summary>
/// FAB-T (Croce and Hein 2020, arXiv:1907.02044) and AutoAttack's standard version (arXiv:2003.01690): the Linf
/// projection onto a hyperplane inside the box against an independent computation, FAB-T's minimisation semantics,
/// and AutoAttack's order, per-point skipping and worst case as they appear in the record. (The registry-wide
/// invariants, budgets, eps 0, untouched model, seeds, batch independence, run for both in AttackInvariantTests.)
/// </summary>
[TestFixture]
public sealed class FabAndAutoAttackTests
{
    private AttackFixture f = null!;

    [OneTimeSetUp] public void SetUp() => f = new AttackFixture();
    [OneTimeTearDown] public void TearDown() => f.Dispose();

    /// <summary>
    /// Independent reference: the smallest lambda with sum_i |w_i| min(lambda, room_i) = c, by walking the sorted
    /// rooms in double precision (null when the box cannot reach the hyperplane).
    /// </summary>
    private static double? ReferenceLambda(double[] w, double[] room, double c)
    {
        var order = Enumerable.Range(0, w.Length).Where(i => w[i] != 0).OrderBy(i => room[i]).ToArray();
        double slope = order.Sum(i => Math.Abs(w[i])), reached = 0, previous = 0;
        foreach (var i in order)
        {
            double next = reached + slope * (room[i] - previous);
            if (next >= c) return previous + (c - reached) / slope;
            reached = next;
            previous = room[i];
            slope -= Math.Abs(w[i]);
        }
        return null;
    }

    [Test]
    public void LinfProjectionOntoHyperplaneInBoxIsTheSmallestStepThatReachesIt()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(5, CPU);
        const int rows = 64, dims = 30;
        var t = rand(new long[] { rows, dims }, generator: g);
        var w = randn(new long[] { rows, dims }, generator: g);
        w[0, 3] = 0; // a zero weight must not move
        // Offsets from tiny to beyond what the box allows, on both sides of the hyperplane.
        var offset = (rand(new long[] { rows }, generator: g) - 0.5) * 30;
        var b = (w * t).sum(1) + offset;
        var d = FabT.ProjectOntoHyperplaneInBox(t, w, b);
        var td = t.data<float>().ToArray();
        var wd = w.data<float>().ToArray();
        var bd = b.data<float>().ToArray();
        var dd = d.data<float>().ToArray();
        int feasible = 0, infeasible = 0;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(d[0, 3].item<float>(), Is.EqualTo(0f), "zero weight, zero move");
            for (int r = 0; r < rows; r++)
            {
                var wr = wd.Skip(r * dims).Take(dims).Select(v => (double)v).ToArray();
                var tr = td.Skip(r * dims).Take(dims).Select(v => (double)v).ToArray();
                var dr = dd.Skip(r * dims).Take(dims).Select(v => (double)v).ToArray();
                double c = wr.Zip(tr).Sum(p => p.First * p.Second) - bd[r];
                // Moving toward the hyperplane: coordinates with w * sign(c) < 0 go up, the others down.
                var room = Enumerable.Range(0, dims).Select(i => wr[i] * Math.Sign(c) < 0 ? 1 - tr[i] : tr[i]).ToArray();
                var lambda = ReferenceLambda(wr, room, Math.Abs(c));
                for (int i = 0; i < dims; i++)
                {
                    Assert.That(tr[i] + dr[i], Is.InRange(-1e-6, 1 + 1e-6), $"row {r}: stays in the box");
                    if (wr[i] != 0) Assert.That(Math.Sign(dr[i]), Is.Not.EqualTo(Math.Sign(wr[i] * c)), $"row {r}, coordinate {i}: moves toward the hyperplane");
                }
                if (lambda is { } l)
                {
                    feasible++;
                    double reached = wr.Zip(tr.Zip(dr)).Sum(p => p.First * (p.Second.First + p.Second.Second));
                    Assert.That(reached, Is.EqualTo((double)bd[r]).Within(1e-3 * (1 + Math.Abs(bd[r]))), $"row {r}: on the hyperplane");
                    Assert.That(dr.Max(Math.Abs), Is.EqualTo(l).Within(1e-4), $"row {r}: the smallest Linf step");
                }
                else
                {
                    infeasible++;
                    for (int i = 0; i < dims; i++)
                        if (wr[i] != 0) Assert.That(Math.Abs(dr[i]), Is.EqualTo(room[i]).Within(1e-6), $"row {r}: unreachable, every coordinate at its bound");
                }
            }
            Assert.That(feasible, Is.GreaterThan(10), "feasible rows exercised");
            Assert.That(infeasible, Is.GreaterThan(3), "unreachable rows exercised");
        }
    }

    [Test]
    public void FabTReturnsAdversarialInputsAtTheReportedMinimalNorms()
    {
        var attack = new FabT { Steps = 20, Targets = 3 };
        using var g = new Generator(1, CPU);
        using var r = attack.Run(f.Model, f.X, f.Y, [0.05, 0.5], null, g);
        using var scope = NewDisposeScope();
        var norms = r.MinimalNorms!;
        var clean = f.Model.Predict(f.X).argmax(1).ne(f.Y).cpu().data<bool>().ToArray();
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < norms.Length; i++)
            {
                if (clean[i]) Assert.That(norms[i], Is.EqualTo(0), $"sample {i}: already misclassified, norm 0");
                if (double.IsFinite(norms[i]))
                {
                    Assert.That(r.Success[1][i], Is.EqualTo(norms[i] <= 0.5 || clean[i]), $"sample {i}: found at {norms[i]:G4}, eps 0.5");
                    if (norms[i] <= 0.05) Assert.That(r.Success[0][i], Is.True, $"sample {i}: found at {norms[i]:G4} <= 0.05 but not counted");
                }
            }
            Assert.That(norms.Count(double.IsFinite), Is.GreaterThan(norms.Length * 0.8), "FAB-T finds adversarials for most samples on this weak model");
        }
    }

    [Test]
    public void MoreTargetsNeverGiveALargerMinimalNorm()
    {
        using var g1 = new Generator(2, CPU);
        using var g3 = new Generator(2, CPU);
        using var one = new FabT { Steps = 5, Targets = 1 }.Run(f.Model, f.X, f.Y, [0.1], null, g1);
        using var three = new FabT { Steps = 5, Targets = 4 }.Run(f.Model, f.X, f.Y, [0.1], null, g3);
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < one.Count; i++)
                Assert.That(three.MinimalNorms![i], Is.LessThanOrEqualTo(one.MinimalNorms![i]), $"sample {i}");
            Assert.That(three.MinimalNorms!.Zip(one.MinimalNorms!).Count(p => double.IsFinite(p.Second) && p.First < p.Second), Is.GreaterThan(0),
                "the extra targets found a closer adversarial than the first target's for some point (a minimisation runs every target)");
        }
    }

    [Test]
    public void FabTFindsPerturbationsNoLargerThanDeepFoolLinf()
    {
        // FAB was proposed as a better minimum-norm attack than DeepFool (Croce and Hein 2020, tables 1-3): on the same
        // model its median Linf norm over samples both found must not be larger.
        using var g = new Generator(3, CPU);
        using var fab = new FabT { Steps = 50, Targets = 4 }.Run(f.Model, f.X, f.Y, [0.1], null, g);
        using var df = new DeepFool(Distance.Linf) { Steps = 50 }.Run(f.Model, f.X, f.Y, [0.1], null, g);
        var both = fab.MinimalNorms!.Zip(df.MinimalNorms!).Where(p => double.IsFinite(p.First) && double.IsFinite(p.Second) && p.Second > 0).ToList();
        double Median(IEnumerable<double> v) => v.OrderBy(x => x).ElementAt(both.Count / 2);
        double medFab = Median(both.Select(p => p.First)), medDf = Median(both.Select(p => p.Second));
        TestContext.Out.WriteLine($"median Linf: fab-t {medFab:G4}, deepfool-linf {medDf:G4} over {both.Count} samples");
        Assert.That(both, Has.Count.GreaterThan(20));
        Assert.That(medFab, Is.LessThanOrEqualTo(medDf));
    }

    private RobustnessReport Evaluate(params AttackSpec[] attacks) => RobustnessEvaluation.Run(f.Model, f.Data.Test, new RobustnessOptions
    {
        Attacks = attacks,
        Epsilons = [0.1],
        Samples = 48,
        BatchSize = 20,
        Seed = 4,
    });

    private static readonly Dictionary<string, double> SmallAutoAttack = new() { ["steps"] = 10, ["targets"] = 2, ["queries"] = 100 };

    [Test]
    public void AutoAttackRecordShowsOrderAndEachMemberRunOnlyOnPointsStillRobustSquareBesideTheMiddleOnes()
    {
        var report = Evaluate(new AttackSpec("autoattack", SmallAutoAttack));
        var record = report.Attacks.Single();
        var stages = record.Stages!;
        int correct = (int)Math.Round(report.CleanAccuracy * report.Samples);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stages.Select(s => s.Attack), Is.EqualTo(AutoAttack.Order), "AutoAttack's order");
            Assert.That(stages[0].Attacked, Is.EqualTo(correct), "the first attack runs on the initially correct points only");
            for (int i = 1; i < stages.Count - 1; i++)
                Assert.That(stages[i].Attacked, Is.EqualTo(stages[i - 1].Attacked - stages[i - 1].Broken), $"{stages[i].Attack} runs only on the points {stages[i - 1].Attack} left robust");
            // The last member runs beside the middle ones on what the first left robust; it is credited only with
            // points the middle members left robust, so the counts still add up.
            Assert.That(stages[^1].Attacked, Is.EqualTo(stages[0].Attacked - stages[0].Broken), "square runs on the points apgd-ce left robust");
            Assert.That(stages[^1].Broken, Is.LessThanOrEqualTo(stages[^2].Attacked - stages[^2].Broken), "square is credited only with points still robust");
            Assert.That(stages[^1].RobustAccuracyAfter, Is.EqualTo(record.RobustAccuracy).Within(1e-9), "the last member's count is the robust accuracy");
            Assert.That(stages[0].Broken, Is.GreaterThan(0), "APGD-CE breaks something on this weak model");
        }
    }

    [Test]
    public void AutoAttackIsAtLeastAsStrongAsEachOfItsMembers()
    {
        var report = Evaluate(
            new AttackSpec("autoattack", SmallAutoAttack),
            new AttackSpec("apgd-ce", new Dictionary<string, double> { ["steps"] = 10 }),
            new AttackSpec("apgd-t", new Dictionary<string, double> { ["steps"] = 10, ["targets"] = 2 }),
            new AttackSpec("fab-t", new Dictionary<string, double> { ["steps"] = 10, ["targets"] = 2 }),
            new AttackSpec("square", new Dictionary<string, double> { ["queries"] = 100 }));
        var aa = report.Attacks.Single(a => a.Attack == "autoattack");
        using (Assert.EnterMultipleScope())
        {
            foreach (var member in report.Attacks.Where(a => a.Attack != "autoattack"))
                Assert.That(aa.RobustAccuracy, Is.LessThanOrEqualTo(member.RobustAccuracy), member.Attack);
            Assert.That(aa.RobustAccuracy, Is.LessThan(report.CleanAccuracy), "it breaks something");
        }
    }
}
