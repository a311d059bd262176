using System.Text.Json.Nodes;
using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Evaluation;
using RobustnessLab.Experiments;
using RobustnessLab.Experiments.Gates;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

public class RegressionGateTests
{
    /// <summary>
    /// A quickstart-shaped run (eval and attacks stages) built from the real result records, serialised the way the runner
    /// serialises every stage: FGSM at eps 0.1 and 0.2 and PGD at 0.1 on model "standard", PGD at 0.1 on model "robust".
    /// </summary>
    internal static RunResults Results(double fgsm01, double accuracy, string name = "r")
    {
        string[] classes = ["T-shirt/top", "Trouser"];
        static AttackRecord Row(string attack, double eps, double success) => new()
        {
            Attack = attack, Norm = "linf", Eps = eps, Targeted = false, RobustAccuracy = 1 - success, SuccessRateCorrect = success, SuccessRateAll = success,
            MeanAdvConfidence = 0.9, MaxLinf = eps, MeanL2 = eps * 10, MeanL0 = 500, Seconds = 0.5, GradientEvals = 1,
        };
        RobustnessReport Report(string model, params AttackRecord[] rows) => new()
        {
            Model = model, Dataset = "fashion-mnist", Samples = 300, Criterion = "misclassification", Seed = 0, CleanAccuracy = accuracy, Attacks = rows,
            WorstCase = rows.GroupBy(r => r.Eps).Select(g => new WorstCaseRecord("linf", g.Key, g.Min(r => r.RobustAccuracy), g.Select(r => r.Attack).ToList(), [])).ToList(),
            Flags = [], ZeroGradientFraction = 0, Seconds = 1,
        };
        var attacks = AttacksResult.From(
        [
            ("standard", Report("standard", Row("fgsm", 0.1, fgsm01), Row("fgsm", 0.2, 0.99), Row("pgd", 0.1, 0.97))),
            ("robust", Report("robust", Row("pgd", 0.1, 0.30))),
        ]);
        var eval = new Dictionary<string, ClassificationReport>
        {
            ["standard"] = new() { Accuracy = accuracy, Count = 1000, MeanLoss = 0.3, ClassNames = classes, PerClassAccuracy = [accuracy, accuracy], Confusion = [[1, 0], [0, 1]] },
        };
        return new RunResults
        {
            Name = name,
            Status = "complete",
            Points = [new PointResult { Stages = { ["eval"] = StageOutput.From(eval, new StageView()).Data, ["attacks"] = StageOutput.From(attacks, new StageView()).Data } }],
        };
    }

    private static string RulesFile(string dir, string body) => ExperimentFixtures.Write(dir, "baseline.yaml", body);

    public static IEnumerable<TestCaseData> Rules()
    {
        yield return new TestCaseData("attacks.attacks[attack=fgsm,eps=0.1].success_rate_correct >= 0.85", 0.9, true).SetName("selector threshold passes");
        yield return new TestCaseData("attacks.attacks[attack=fgsm,eps=0.1].success_rate_correct >= 0.85", 0.8, false).SetName("selector threshold fails");
        yield return new TestCaseData("attacks.attacks[attack=fgsm,eps=0.10].success_rate_correct>0.85", 0.9, true).SetName("numbers match numerically, spaces optional");
        yield return new TestCaseData("attacks.attacks[attack=pgd,eps=0.1,model=robust].success_rate_correct <= 0.5", 0.9, true).SetName("three-key selector");
        yield return new TestCaseData("eval.standard.accuracy within 0.03 of 0.91", 0.9, true).SetName("within a number passes");
        yield return new TestCaseData("eval.standard.accuracy within 0.03 of 0.95", 0.9, false).SetName("within a number fails");
        yield return new TestCaseData("attacks.attacks[0].eps == 0.1", 0.9, true).SetName("index");
    }

    [TestCaseSource(nameof(Rules))]
    public void RuleTable(string rule, double accuracy, bool passes)
    {
        var r = Results(accuracy, accuracy);
        var outcome = GateRule.Parse(rule, "test").Evaluate(new JsonObject(r.Points[0].Stages.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone()))), null, "");
        Assert.That(outcome.Passed, Is.EqualTo(passes), outcome.Problem);
    }

    [TestCase("attacks.attacks[attack=pgd,eps=0.1].success_rate_correct >= 0.5", "2 entries of 'attacks.attacks' have attack=pgd,eps=0.1; add a key")]
    [TestCase("attacks.attacks[attack=cw].success_rate_correct >= 0.5", "no entry of 'attacks.attacks' has attack=cw")]
    [TestCase("eval.standrd.accuracy >= 0.5", "'eval' has no key 'standrd'; did you mean 'standard'?")]
    [TestCase("figures.x >= 1", "the results has no key 'figures'")]
    public void MissingOrAmbiguousPathsFailWithAReason(string rule, string problem)
    {
        var gate = new RegressionGate([GateRule.Parse(rule, "t")], null, "t");
        var outcome = gate.Check(Results(0.9, 0.9)).Single();
        Assert.That(outcome.Passed, Is.False);
        Assert.That(outcome.Problem, Does.Contain(problem));
    }

    [TestCase("eval.standard.accuracy => 0.5")]
    [TestCase("eval.standard.accuracy >= high")]
    [TestCase("eval.standard.accuracy within -1 of baseline")]
    [TestCase("eval.standard.accuracy")]
    public void MalformedRulesAreRejected(string rule) =>
        Assert.Throws<LabUsageException>(() => GateRule.Parse(rule, "baseline.yaml:3:5"));

    [Test]
    public void WithinBaselineComparesWithFrozenResults()
    {
        var dir = ExperimentFixtures.TempDir("gate");
        Json.WriteFile(Path.Combine(dir, "frozen.json"), Results(0.9, 0.91, "frozen"));
        var file = RulesFile(dir, "results: frozen.json\nrules:\n  - eval.standard.accuracy within 0.03 of baseline\n  - attacks.attacks[attack=fgsm,eps=0.1].success_rate_correct >= 0.85\n");
        var gate = RegressionGate.Load(file);
        Assert.That(gate.Check(Results(0.9, 0.90)).All(o => o.Passed), Is.True);
        var failing = gate.Check(Results(0.8, 0.85));
        Assert.That(failing.Count(o => !o.Passed), Is.EqualTo(2));
        Assert.That(failing[0].Expected, Is.EqualTo("0.91 ± 0.03"));
    }

    /// <summary>Every rule the README prints selects a number in a quickstart-shaped results.json (and passes on good numbers).</summary>
    [Test]
    public void EveryRuleInTheReadmeSelectsAValueInRealResults()
    {
        var readme = File.ReadAllText(Path.Combine(ConfigLoadingTests.FindExperimentsFolder(), "..", "README.md"));
        var rules = System.Text.RegularExpressions.Regex.Matches(readme, "`([a-z_]+(?:\\.[a-z_]+|\\[[^\\]`]*\\])+ (?:>=|<=|==|>|<|within) [^`]+)`")
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.That(rules, Has.Count.GreaterThanOrEqualTo(2), "the README's gate rules were not found");
        var dir = ExperimentFixtures.TempDir("gate-readme");
        Json.WriteFile(Path.Combine(dir, "frozen.json"), Results(0.9, 0.9, "frozen"));
        var gate = RegressionGate.Load(RulesFile(dir, "results: frozen.json\nrules:\n" + string.Concat(rules.Select(r => $"  - \"{r}\"\n"))));
        using (Assert.EnterMultipleScope())
            foreach (var outcome in gate.Check(Results(0.9, 0.9)))
            {
                Assert.That(outcome.Actual, Is.Not.Null, $"{outcome.Rule.Text}: {outcome.Problem}");
                Assert.That(outcome.Passed, Is.True, $"{outcome.Rule.Text}: {outcome.Problem}");
            }
    }

    [Test]
    public void RulesFileErrorsHavePositions()
    {
        var dir = ExperimentFixtures.TempDir("gate");
        var ex = Assert.Throws<LabUsageException>(() => RegressionGate.Load(RulesFile(dir, "rules:\n  - eval.standard.accuracy >= 0.9\n  - eval.standard.accuracy >> 0.9\n")));
        Assert.That(ex!.Message, Does.StartWith(Path.Combine(dir, "baseline.yaml") + ":3:5: cannot read rule"));
        ex = Assert.Throws<LabUsageException>(() => RegressionGate.Load(RulesFile(dir, "rule:\n  - a >= 1\n")));
        Assert.That(ex!.Message, Does.Contain(":1:1: unknown key 'rule'; did you mean 'rules'?"));
    }

    [Test]
    public void CheckCommandExitsZeroOnPassAndOneOnRegression()
    {
        var dir = ExperimentFixtures.TempDir("gate-cli");
        var good = Path.Combine(dir, "good");
        var bad = Path.Combine(dir, "bad");
        Results(0.9, 0.9).Write(Directory.CreateDirectory(good).FullName);
        Results(0.5, 0.9).Write(Directory.CreateDirectory(bad).FullName);
        var rules = RulesFile(dir, "rules:\n  - attacks.attacks[attack=fgsm,eps=0.1].success_rate_correct >= 0.85\n  - eval.standard.accuracy within 0.03 of 0.9\n");
        var pass = ExperimentFixtures.RunLab(dir, "check", good, "--baseline", rules);
        var fail = ExperimentFixtures.RunLab(dir, "check", bad, "--baseline", rules);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(pass.Code, Is.EqualTo(0), pass.Out + pass.Err);
            Assert.That(pass.Out, Does.Contain("all 2 checks passed"));
            Assert.That(fail.Code, Is.EqualTo(1), fail.Out + fail.Err);
            Assert.That(fail.Out, Does.Contain("FAIL").And.Contain("is not >="));
            Assert.That(fail.Err, Does.Contain("1 of 2 checks failed"));
        }
    }
}
