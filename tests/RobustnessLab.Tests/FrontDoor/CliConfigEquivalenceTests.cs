using RobustnessLab.Cli.Commands;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Fooling;
using RobustnessLab.Reporting;
using RobustnessLab.Tests.Experiments;
using RobustnessLab.Training;
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
    /// <summary>This test's own temporary folder, deleted after it.</summary>
    private string root = "";

    [SetUp]
    public void CreateRoot() => root = ExperimentFixtures.TempDir("eq-" + TestContext.CurrentContext.Test.MethodName);

    [TearDown]
    public void DeleteRoot() => Delete(root);
    [Test]
    public void FoolingCliAndStageGiveTheSameRecord()
    {
        ExperimentFixtures.RequireData();
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

    private const string TinyData = "dataset: {name: fashion-mnist, options: {train_limit: 600, validation_size: 100, test_limit: 200}}";

    [Test]
    public void AttackFigureCliAndFiguresStageGiveTheSameRecord()
    {
        ExperimentFixtures.RequireData();
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
        // One record, one serialiser: the command's file is the stage's record but for the model's name (its folder, not an id).
        var cli = ReadJson(file);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Comparable(cli, "model", "clean_accuracy"), Is.EqualTo(Comparable(record, "model", "clean_accuracy")));
            Assert.That(cli["clean_accuracy"]![model]!.GetValue<double>(), Is.EqualTo(record["clean_accuracy"]!["m"]!.GetValue<double>()));
            Assert.That(cli["attacks"]!.AsArray().Select(a => a!["model"]!.GetValue<string>()), Has.All.EqualTo(model));
            Assert.That(record["evaluations"]!.AsArray(), Has.Count.EqualTo(1), "fgsm and pgd ran together");
            Assert.That(record["attacks"]!.AsArray(), Has.Count.EqualTo(4));
            // Each record states how it ran (the mode, and whether the epsilon grid was nested).
            Assert.That(record["attacks"]!.AsArray().Where(a => a!["attack"]!.GetValue<string>() == "pgd").Select(a => a!["mode"]!.GetValue<string>()), Has.All.EqualTo(mode));
            Assert.That(record["attacks"]!.AsArray().Where(a => a!["eps"]!.GetValue<double>() > 0).Select(a => a!["epsilon_grid"]!.GetValue<string>()), Has.All.EqualTo(grid));
        }
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

    [Test]
    public void TrainingOptionsAreTheSameThroughBothDoors()
    {
        // Nothing given: `lab train` and a models: entry both leave every setting at the library's defaults.
        var defaults = new ModelTrainingOptions().Resolved();
        var fromCli = TrainCommand.BuildOptions(new TrainCommand.Settings { Out = "o" });
        var fromConfig = new ModelConfig { Architecture = defaults.Architecture }.Resolve(0).ToModelTrainingOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fromCli, Is.EqualTo(defaults).Using<ModelTrainingOptions>(SameJson));
            Assert.That(fromConfig, Is.EqualTo(defaults).Using<ModelTrainingOptions>(SameJson));
        }
        // Every setting given, as flags and as keys: the same options.
        var givenCli = TrainCommand.BuildOptions(new TrainCommand.Settings
        {
            Out = "o", Model = "mlp", ModelArgs = ["layers=1", "hidden=16"], Epochs = 3, LearningRate = 0.01, Optimizer = "sgd", Schedule = "cosine",
            Momentum = 0.8, WeightDecay = 1e-3, BatchSize = 32, Seed = 7, Adv = "pgd", AdvEps = 0.2, AdvArgs = ["steps=3"],
        });
        var givenConfig = new ModelConfig
        {
            Architecture = "mlp", Args = new Dictionary<string, double> { ["hidden"] = 16, ["layers"] = 1 }, Epochs = 3, LearningRate = 0.01, Optimizer = "sgd",
            Schedule = "cosine", Momentum = 0.8, WeightDecay = 1e-3, BatchSize = 32, Seed = 7, Objective = "pgd",
            ObjectiveArgs = new Dictionary<string, double> { ["steps"] = 3, ["eps"] = 0.2 },
        }.Resolve(0).ToModelTrainingOptions();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(givenCli, Is.EqualTo(givenConfig).Using<ModelTrainingOptions>(SameJson));
            Assert.That(givenCli, Is.Not.EqualTo(defaults).Using<ModelTrainingOptions>(SameJson));
            Assert.That(givenCli.Args["dropout"], Is.EqualTo(0.2), "arguments left out are the architecture's defaults");
        }
    }

    [Test]
    public void TrainCliAndModelsStageTrainTheSameModel()
    {
        ExperimentFixtures.RequireData();
        // The whole test split (lab train has no test limit), 600 training rows, one epoch.
        var cache = Path.Combine(root, "cache");
        var (_, record) = Run(root, "models", """
name: eq-train
seed: 0
threads: 1
dataset: {name: fashion-mnist, options: {train_limit: 600, validation_size: 100}}
models:
  small: {architecture: mlp, args: {hidden: 16, layers: 1}, epochs: 1, batch_size: 64}
""", "--cache", cache);
        var staged = Directory.GetFiles(cache, "model.json", SearchOption.AllDirectories).Single();
        // Seed 0 for both: lab train splits off its validation rows with --seed, a config with dataset.options.split_seed (0).
        var outDir = Path.Combine(root, "train");
        Lab("train", "--dataset", "fashion-mnist", "--model", "mlp", "--arg", "hidden=16", "--arg", "layers=1", "--epochs", "1", "--batch-size", "64",
            "--validation", "100", "--train-limit", "600", "--seed", "0", "--out", outDir);
        var cli = ReadJson(Path.Combine(outDir, "model.json"));
        var stage = ReadJson(staged);
        var cliHistory = ReadJson(Path.Combine(outDir, TrainingCheckpointFolder.StateFile))["history"]!;
        using (Assert.EnterMultipleScope())
        {
            // The same trainer settings (the library's defaults through both doors), normalisation and architecture...
            foreach (var key in new[] { "training", "normalization", "args", "architecture", "parameters", "seed", "weights_sha256" })
                Assert.That(Comparable(cli[key]!), Is.EqualTo(Comparable(stage[key]!)), key);
            // ...so the same weights, bit for bit...
            Assert.That(File.ReadAllBytes(Path.Combine(outDir, "model.safetensors")),
                Is.EqualTo(File.ReadAllBytes(Path.Combine(Path.GetDirectoryName(staged)!, "model.safetensors"))));
            // ...and the same result: the run's record holds the metrics and log lab train's checkpoint holds.
            Assert.That(Comparable(record["small"]!["metrics"]!), Is.EqualTo(Comparable(cli["metrics"]!, "train_seconds")));
            Assert.That(Comparable(record["small"]!["history"]!), Is.EqualTo(Comparable(cliHistory, "images_per_s", "rss_mb")));
            Assert.That(record["small"]!["history"]!.AsArray(), Has.Count.EqualTo(1));
        }
    }
}
