using RobustnessLab.Cli.Commands;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Fooling;
using RobustnessLab.Reporting;
using RobustnessLab.Tests.Experiments;
using static RobustnessLab.Tests.FrontDoor.FrontDoorFixtures;

namespace RobustnessLab.Tests.FrontDoor;

/// <summary>
/// One front door per capability: for the same settings, the `lab` command and the experiment stage build the same
/// options, run the same service and get the same result record (compared as JSON, without timings, provenance and
/// file locations). Small untrained models and a handful of iterations keep each test to seconds.
/// </summary>
[NonParallelizable]
public class CliConfigEquivalenceTests
{
    [Test]
    public void FoolingCliAndStageGiveTheSameRecord()
    {
        ExperimentFixtures.RequireData();
        var root = ExperimentFixtures.TempDir("eq-fool");
        try
        {
            var model = UntrainedCheckpoint(Path.Combine(root, "model"));
            var (_, record) = Run(root, "fooling", $$"""
name: eq-fool
seed: 0
threads: 1
dataset: {name: fashion-mnist}
models:
  m: {checkpoint: {{model}}}
fooling:
  method: evolutionary
  encoding: direct
  generations: 3
  population: 6
  classes: [Trouser, Bag]
  options: {rubbish_samples: 20, mutation_rate: 0.2, cross_rate: 0.5, reference_per_class: 3}
""");
            var stage = record.AsArray()[0]!;
            // The stage derives its seed from the run's; the command is given the same one. Both measure distances to
            // the same training rows: the run's seed (0) is the checkpoint's, which carves the same validation split.
            int seed = stage["seed"]!.GetValue<int>();
            var outDir = Path.Combine(root, "fool");
            Lab("fool", "--model", model, "--out", outDir, "--method", "direct", "--generations", "3", "--population", "6", "--classes", "Trouser,Bag",
                "--rubbish-samples", "20", "--mutation-rate", "0.2", "--option", "cross_rate=0.5", "--option", "reference_per_class=3", "--seed", seed.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var cli = ReadJson(Path.Combine(outDir, FoolingFigures.JsonFile));
            Assert.That(Comparable(cli, "model", "image_file"), Is.EqualTo(Comparable(stage, "model", "image_file")));
            Assert.That(cli["classes"]![0]!["nearest_train_l2"], Is.Not.Null, "both measured distances to the training set");
            Assert.That(cli["options"]!["steps"]!.GetValue<int>(), Is.EqualTo(new FoolingOptions().Steps), "defaults come from FoolingOptions");
        }
        finally { Delete(root); }
    }

    [Test]
    public void FoolingDefaultsAreTheLibrarysThroughBothDoors()
    {
        // Nothing given: the command and the section both leave every setting at FoolingOptions' default.
        var defaults = new FoolingOptions();
        var fromConfig = new FoolingSection { Method = "gradient" }.ToOptions(0);
        var fromCli = FoolCommand.BuildOptions(new FoolCommand.Settings { Model = "m", Out = "o", Method = "gradient" });
        Assert.That(fromConfig, Is.EqualTo(defaults with { Method = FoolingMethod.Gradient }).Using<FoolingOptions>(SameJson));
        Assert.That(fromCli, Is.EqualTo(fromConfig).Using<FoolingOptions>(SameJson));
        var cppn = new FoolingSection { Encoding = "cppn" }.ToOptions(0);
        Assert.That(cppn.EffectiveGenerations, Is.EqualTo(FoolCommand.BuildOptions(new FoolCommand.Settings { Model = "m", Out = "o", Method = "cppn" }).EffectiveGenerations));
    }

    private static bool SameJson<T>(T a, T b) => RobustnessLab.Core.Json.Serialize(a) == RobustnessLab.Core.Json.Serialize(b);

    [Test]
    public void DumbbellCliAndStageGiveTheSameRecord()
    {
        var root = ExperimentFixtures.TempDir("eq-dumbbell");
        try
        {
            var (runDir, record) = Run(root, "dumbbell", """
name: eq-dumbbell
seed: 4
threads: 1
dumbbell:
  scale: quick
  epochs: 1
  train_size: 60
  steps: 2
  samples: 1
  options: {size: 16, test: 60, probe_count: 10, control_train: 60, control_epochs: 1, detector_train: 60, detector_epochs: 1, detector_vis_seeds: 1, detector_held_out_seeds: 1}
""");
            var outDir = Path.Combine(root, "dumbbell");
            Lab("dumbbell", "--out", outDir, "--seed", "4", "--scale", "quick", "--epochs", "1", "--train", "60", "--steps", "2", "--vis-seeds", "1",
                "--size", "16", "--test", "60", "--probes", "10", "--option", "control_train=60", "--option", "control_epochs=1", "--option", "detector_train=60",
                "--option", "detector_epochs=1", "--option", "detector_vis_seeds=1", "--option", "detector_held_out_seeds=1");
            var cli = ReadJson(Path.Combine(outDir, DumbbellFigures.ReportFile));
            var stageFile = Path.Combine(runDir, record["files"]!["report"]!.GetValue<string>());
            using (Assert.EnterMultipleScope())
            {
                // The two dumbbell.json files: same writer, paths relative to their own folder.
                Assert.That(Comparable(cli), Is.EqualTo(Comparable(ReadJson(stageFile))));
                // results.json: the same record, its paths relative to the run folder.
                Assert.That(Comparable(record, "files", "checkpoint"), Is.EqualTo(Comparable(cli, "files", "checkpoint")));
                Assert.That(cli["files"]!.AsObject().Select(f => f.Value!.GetValue<string>()), Has.All.Not.StartWith("/"), "no absolute paths");
                foreach (var (key, path) in record["files"]!.AsObject())
                    Assert.That(File.Exists(Path.Combine(runDir, path!.GetValue<string>())) || Directory.Exists(Path.Combine(runDir, path.GetValue<string>())), Is.True, key);
            }
        }
        finally { Delete(root); }
    }
}
