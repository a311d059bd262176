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
        // Workers: the run's (lab run --workers) through a stage, --workers through the command; one worker unless given.
        var twoFromConfig = new FoolingSection().ToOptions(0, workers: 2);
        var twoFromCli = FoolCommand.BuildOptions(new FoolCommand.Settings { Model = "m", Out = "o", Method = "direct", Workers = 2 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(twoFromCli, Is.EqualTo(twoFromConfig).Using<FoolingOptions>(SameJson));
            Assert.That(twoFromCli.Workers, Is.EqualTo(2));
            Assert.That(fromCli.Workers, Is.EqualTo(defaults.Workers));
            Assert.That(new FoolingSection().ToOptions(0).Workers, Is.EqualTo(defaults.Workers));
        }
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

    private const string TinyData = "dataset: {name: fashion-mnist, options: {train_limit: 600, validation_size: 100, test_limit: 200}}";

    [Test]
    public void AttackFigureCliAndFiguresStageGiveTheSameRecord()
    {
        ExperimentFixtures.RequireData();
        var root = ExperimentFixtures.TempDir("eq-figure");
        try
        {
            var model = UntrainedCheckpoint(Path.Combine(root, "model"));
            var (_, record) = Run(root, "figures", $$"""
name: eq-figure
seed: 0
threads: 1
{{TinyData}}
models:
  m: {checkpoint: {{model}}}
figures:
  - model: m
    attack: pgd
    eps: 0.1
    samples: 2
""");
            var stage = record.AsArray()[0]!;
            int seed = (int)(RobustnessLab.Experiments.StageContext.SeedOf(0, "figures") & 0x7fffffff);
            var outDir = Path.Combine(root, "attack");
            Lab("attack", "--model", model, "--out", outDir, "--attack", "pgd", "--eps", "0.1", "--examples", "2", "--seed", Num(seed));
            var cli = ReadJson(Path.Combine(outDir, AdversarialFigures.JsonFile));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Comparable(cli, "model", "files", "title"), Is.EqualTo(Comparable(stage, "model", "files", "title")));
                Assert.That(cli["panels"]!.AsArray(), Has.Count.EqualTo(2));
                Assert.That(cli["panels"]![0]!["saved"], Is.Not.Null, "the saved file's prediction is part of the record");
            }
        }
        finally { Delete(root); }
    }

    // The attack modes through both doors: the default (early stopping, nested epsilons, one worker), and the
    // loss-maximising run on independent epsilons split across two workers (lab run --workers, lab robustness --workers).
    private static IEnumerable<TestCaseData> RobustnessDoors()
    {
        yield return new TestCaseData("", Array.Empty<string>(), Array.Empty<string>(), "early-stop", "nested").SetName("RobustnessCliAndAttacksStageGiveTheSameRecord(defaults)");
        yield return new TestCaseData("\n    mode: max-loss\n    independent_eps: true", new[] { "--workers", "2" },
                new[] { "--mode", "max-loss", "--independent-eps", "--workers", "2" }, "max-loss", "independent")
            .SetName("RobustnessCliAndAttacksStageGiveTheSameRecord(max-loss, independent eps, 2 workers)");
    }

    [TestCaseSource(nameof(RobustnessDoors))]
    public void RobustnessCliAndAttacksStageGiveTheSameRecord(string sectionKeys, string[] runArgs, string[] cliArgs, string mode, string grid)
    {
        ExperimentFixtures.RequireData();
        var root = ExperimentFixtures.TempDir("eq-robust");
        try
        {
            var model = UntrainedCheckpoint(Path.Combine(root, "model"));
            var (_, record) = Run(root, "attacks", $$"""
name: eq-robust
seed: 0
threads: 1
{{TinyData}}
models:
  m: {checkpoint: {{model}}}
attacks:
  - attack: fgsm
    eps: [0, 0.05]
    samples: 40{{sectionKeys}}
  - attack: pgd
    eps: [0, 0.05]
    steps: 3
    step_size: 0.5
    samples: 40{{sectionKeys}}
""", runArgs);
            int seed = (int)(RobustnessLab.Experiments.StageContext.SeedOf(0, "attacks") & 0x7fffffff);
            var file = Path.Combine(root, "robustness.json");
            Lab(["robustness", "--model", model, "--attacks", "fgsm,pgd", "--eps", "0,0.05", "--n", "40", "--arg", "pgd.steps=3", "--arg", "step_size=0.5",
                "--seed", Num(seed), "--out", file, .. cliArgs]);
            var report = RobustnessLab.Core.Json.ReadFile<RobustnessLab.Evaluation.RobustnessReport>(file);
            var cli = RobustnessLab.Experiments.StageOutput.From(RobustnessLab.Experiments.AttacksResult.From([("m", report)]), new StageView()).Data;
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Comparable(cli), Is.EqualTo(Comparable(record)));
                Assert.That(record["attacks"]!.AsArray(), Has.Count.EqualTo(4));
                // Each record states how it ran (the mode, and whether the epsilon grid was nested).
                Assert.That(record["attacks"]!.AsArray().Where(a => a!["attack"]!.GetValue<string>() == "pgd").Select(a => a!["mode"]!.GetValue<string>()), Has.All.EqualTo(mode));
                Assert.That(record["attacks"]!.AsArray().Where(a => a!["eps"]!.GetValue<double>() > 0).Select(a => a!["epsilon_grid"]!.GetValue<string>()), Has.All.EqualTo(grid));
            }
        }
        finally { Delete(root); }
    }

    [Test]
    public void RobustnessDefaultsAreTheLibrarysThroughBothDoors()
    {
        // Nothing given: the command and an attacks: entry both leave every setting at RobustnessOptions' default.
        var defaults = new RobustnessLab.Evaluation.RobustnessOptions();
        var section = new AttackSection { Attack = "pgd", Eps = defaults.Epsilons };
        var fromConfig = AttackSection.ToOptions([section], 0);
        var fromCli = RobustnessCommand.BuildOptions(new RobustnessCommand.Settings { Model = "m", Attacks = "pgd" });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromConfig, Is.EqualTo(defaults with { Attacks = [new("pgd")], L2Epsilons = [] }).Using<RobustnessLab.Evaluation.RobustnessOptions>(SameJson));
            Assert.That(fromCli with { L2Epsilons = [] }, Is.EqualTo(fromConfig).Using<RobustnessLab.Evaluation.RobustnessOptions>(SameJson));
            Assert.That(fromCli.Mode, Is.EqualTo(RobustnessLab.Attacks.AttackMode.EarlyStop));
            Assert.That(fromCli.NestedEpsilons, Is.True);
            Assert.That(fromCli.Workers, Is.EqualTo(1));
        }
        // Every new setting given: the same options through both doors.
        var givenConfig = AttackSection.ToOptions([section with { Mode = "max-loss", IndependentEps = true }], 0, workers: 2);
        var givenCli = RobustnessCommand.BuildOptions(new RobustnessCommand.Settings { Model = "m", Attacks = "pgd", Mode = "max-loss", IndependentEps = true, Workers = 2 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(givenCli with { L2Epsilons = [] }, Is.EqualTo(givenConfig).Using<RobustnessLab.Evaluation.RobustnessOptions>(SameJson));
            Assert.That((givenCli.Mode, givenCli.NestedEpsilons, givenCli.Workers), Is.EqualTo((RobustnessLab.Attacks.AttackMode.MaximizeLoss, false, 2)));
        }
    }

    [Test]
    public void VisualizeCliAndStageGiveTheSameRecord()
    {
        ExperimentFixtures.RequireData();
        var root = ExperimentFixtures.TempDir("eq-visualize");
        try
        {
            var model = UntrainedCheckpoint(Path.Combine(root, "model"));
            var (_, record) = Run(root, "visualize", $$"""
name: eq-visualize
seed: 0
threads: 1
{{TinyData}}
models:
  m: {checkpoint: {{model}}}
visualize:
  classes: [Trouser, Bag]
  steps: 4
  options: {seeds: 2, tv: 0.01}
""");
            int seed = (int)(RobustnessLab.Experiments.StageContext.SeedOf(0, "visualize") & 0x7fffffff);
            var json = Path.Combine(root, "vis.json");
            Lab("visualize", "--model", model, "--class", "Trouser", "--class", "Bag", "--steps", "4", "--seeds", "2", "--tv", "0.01", "--seed", Num(seed),
                "--out", Path.Combine(root, "vis.png"), "--json", json);
            var cli = ReadJson(json);
            Assert.That(Comparable(cli["entries"]!, "model", "sheet"), Is.EqualTo(Comparable(record, "model", "sheet")));
            Assert.That(record.AsArray(), Has.Count.EqualTo(2));
        }
        finally { Delete(root); }
    }

    [Test]
    public void TrainCliAndModelsStageTrainTheSameModel()
    {
        ExperimentFixtures.RequireData();
        var root = ExperimentFixtures.TempDir("eq-train");
        try
        {
            var config = ExperimentFixtures.Write(root, "config.yaml", """
name: eq-train
seed: 0
threads: 1
dataset: {name: fashion-mnist, options: {train_limit: 600, validation_size: 100, test_limit: 200}}
models:
  small: {architecture: mlp, args: {hidden: 16, layers: 1}, epochs: 1, batch_size: 64}
""");
            // Seed 0 for both: lab train splits off its validation rows with --seed, a config with dataset.options.split_seed (0).
            var cache = Path.Combine(root, "cache");
            Lab("run", config, "--out", Path.Combine(root, "run"), "--cache", cache);
            var staged = Directory.GetFiles(cache, "model.json", SearchOption.AllDirectories).Single();
            var outDir = Path.Combine(root, "train");
            Lab("train", "--dataset", "fashion-mnist", "--model", "mlp", "--arg", "hidden=16", "--arg", "layers=1", "--epochs", "1", "--batch-size", "64",
                "--validation", "100", "--train-limit", "600", "--seed", "0", "--out", outDir);
            var cli = ReadJson(Path.Combine(outDir, "model.json"));
            var stage = ReadJson(staged);
            using (Assert.EnterMultipleScope())
            {
                // The same trainer settings (TrainingOptions' defaults through both doors), normalisation and architecture...
                foreach (var key in new[] { "training", "normalization", "args", "architecture", "parameters", "seed" })
                    Assert.That(Comparable(cli[key]!), Is.EqualTo(Comparable(stage[key]!)), key);
                // ...and so the same weights, bit for bit.
                Assert.That(File.ReadAllBytes(Path.Combine(outDir, "model.safetensors")),
                    Is.EqualTo(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(staged)!, "model.safetensors"))));
            }
        }
        finally { Delete(root); }
    }
}
