using RobustnessLab.Experiments;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

/// <summary>The <c>paper:</c> stage: published figures beside this run's values, read by results path.</summary>
[Category("Slow")]
public class PaperStageTests
{
    [Test]
    public void PaperTableReadsThisRunsValuesAndFlagsAMissingOne()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("paper");
        const string rows = """
paper:
  - {figure: "clean accuracy", paper: 0.5, lab: "eval.small.accuracy", source: "a paper, table 1"}
  - {figure: "a figure the run does not have", paper: 0.25, lab: "attacks.attacks[eps=0.3].robust_accuracy", format: number}
""";
        var path = ExperimentFixtures.Write(dir, "config.yaml", ExperimentFixtures.TinyConfig("paper", extra: rows));
        RunResults Run() => new ExperimentRunner(StageRegistry.Default).Run(ExperimentLoader.Load(path, null, StageRegistry.Default),
            new RunOptions { OutDirectory = Path.Combine(dir, "run"), CacheDirectory = Path.Combine(dir, "cache") });
        var first = Run();
        var second = Run();
        var table = first.Points[0].Stages["paper"]!.AsArray();
        double accuracy = first.Points[0].Stages["eval"]!["small"]!["accuracy"]!.GetValue<double>();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Points[0].Stages.Keys.Last(), Is.EqualTo("paper"), "runs after the stages it reads");
            Assert.That(table[0]!["lab"]!.GetValue<double>(), Is.EqualTo(accuracy));
            Assert.That(table[0]!["difference"]!.GetValue<double>(), Is.EqualTo(accuracy - 0.5).Within(1e-12));
            Assert.That(table[1]!["lab"], Is.Null);
            Assert.That(table[1]!["problem"]!.GetValue<string>(), Does.Contain("attacks"));
            Assert.That(first.Points[0].Views["paper"].Flags, Has.Count.EqualTo(1), "the missing value is a flag");
            Assert.That(first.Points[0].Views["paper"].Tables[0].Columns, Is.EqualTo(new[] { "figure", "paper", "lab", "difference", "source", "note" }));
            Assert.That(second.Points[0].Runtime["eval"].Reused, Is.True);
            Assert.That(second.Points[0].Runtime["paper"].Reused, Is.False, "recomputed: its inputs are earlier results");
        }
    }
}
