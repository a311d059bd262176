using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Experiments;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Experiments.Gates;
using RobustnessLab.FeatureVis;
using RobustnessLab.Fooling;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Tests.Experiments;
using RobustnessLab.Training;

namespace RobustnessLab.Tests.Reliability;

/// <summary>
/// The table of bad inputs: hostile or mistaken input to the shared readers (YAML, safetensors, IDX, model.json), the
/// runner and the trainer. Each case is refused with one line naming the file or field (checked exactly), up front,
/// within a bounded time; nothing is stored as finished that did not finish.
/// </summary>
public class BadInputTests
{
    private const string Valid = """
        name: t
        dataset: {name: fashion-mnist}
        models:
          m: {architecture: mlp, epochs: 1}

        """;

    private static string Message(TestDelegate action) => Assert.Throws(Is.InstanceOf<LabException>(), action)!.Message;

    // ---- YAML and the config binder ----

    [Test]
    public void DeeplyNestedYamlIsRefusedNotAStackOverflow()
    {
        var text = "a: " + new string('[', 20_000) + new string(']', 20_000) + "\n";
        Assert.That(Message(() => YamlConfigReader.Parse(text, "deep.yaml")),
            Is.EqualTo("deep.yaml:1:67: lists and mappings are nested more than 64 levels deep; RL_MAX_CONFIG_DEPTH raises the limit"));
    }

    [Test, CancelAfter(10_000)]
    public void BillionLaughsIsRefusedQuickly()
    {
        var sb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (int i = 1; i <= 9; i++)
            sb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var message = Message(() => YamlConfigReader.Parse(sb.ToString(), "laughs.yaml"));
        Assert.That(message, Does.StartWith("laughs.yaml:").And.EndWith(
            ": the config expands to more than 100,000 values (aliases count as copies of what they refer to); RL_MAX_CONFIG_NODES raises the limit"));
        Assert.That(sw.Elapsed.TotalSeconds, Is.LessThan(5));
    }

    [Test]
    public void ConfigLargerThanTheLimitIsRefusedBeforeParsing()
    {
        var dir = TestSupport.TempDir("big");
        var path = Path.Combine(dir, "big.yaml");
        File.WriteAllText(path, "name: t\n# " + new string('x', 1_000_001) + "\n");
        Assert.That(Message(() => YamlConfigReader.ReadFile(path)),
            Is.EqualTo($"{path}:1:1: the config is 1,000,012 bytes; the limit is 1,000,000 (a sweep: block replaces long lists of near-identical entries; RL_MAX_CONFIG_BYTES raises the limit)"));
    }

    [Test]
    public void TooManyModelsAreRefusedBeforeBinding()
    {
        var sb = new StringBuilder("name: t\ndataset: {name: fashion-mnist}\nmodels:\n");
        for (int i = 0; i < 1001; i++) sb.Append($"  m{i}: {{architecture: mlp}}\n");
        Assert.That(Message(() => ExperimentLoader.Parse(sb.ToString(), "many.yaml")),
            Is.EqualTo("many.yaml:4:3: models: 1,001 entries; the limit is 1,000 (RL_MAX_CONFIG_ENTRIES raises it)"));
    }

    [Test]
    public void NanEpsilonInYamlNamesTheField()
    {
        var text = Valid + "attacks:\n  - {attack: fgsm, eps: [.nan]}\n";
        Assert.That(Message(() => ExperimentLoader.Parse(text, "nan.yaml")),
            Is.EqualTo("nan.yaml:6:26: attacks[0].eps[0]: must be a finite number, got '.nan'"));
    }

    [Test]
    public void NanEpsilonInSetNamesTheOverride()
    {
        var text = Valid + "attacks:\n  - {attack: fgsm, eps: [0.1]}\n";
        Assert.That(Message(() => ExperimentLoader.Parse(text, "nan.yaml", ["attacks[0].eps=[.nan]"])),
            Does.EndWith("attacks[0].eps[0]: must be a finite number, got '.nan'"));
    }

    [Test]
    public void AutoDatasetOptionsAreValidated()
    {
        var text = "name: t\ndataset:\n  name: auto\n  options: {test_limit: -5, validation_size: abc}\n";
        var e = Assert.Throws<ConfigException>(() => ExperimentLoader.Parse(text, "auto.yaml"))!;
        Assert.That(e.Errors.Select(x => x.ToString()), Is.EquivalentTo(new[]
        {
            "auto.yaml:4:25: dataset.options.test_limit: must be a non-negative integer, got -5",
            "auto.yaml:4:46: dataset.options.validation_size: must be a non-negative integer, got \"abc\"",
        }));
    }

    [Test]
    public void ABadDumbbellValueIsReportedOnceAtItsKey()
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentLoader.Parse("name: t\ndumbbell:\n  scale: quick\n  vis_method: dream\n", "db.yaml"))!;
        Assert.That(e.Errors.Select(x => x.ToString()), Is.EqualTo(new[] { "db.yaml:4:15: dumbbell.vis_method: unknown value 'dream'; valid: lucid, synthesis, generator" }));
        var cross = Assert.Throws<ConfigException>(() => ExperimentLoader.Parse(
            "name: t\ndumbbell:\n  biased_arm_probability: 0.4\n  debiased_arm_probability: 0.5\n", "db.yaml"))!;
        Assert.That(cross.Errors.Select(x => x.ToString()), Has.One.Contains("must exceed debiased_arm_probability"), "checks across keys still run");
    }

    [Test]
    public void FigureClassNotInTheDatasetFailsValidation()
    {
        var text = Valid + "figures:\n  - {model: m, attack: fgsm, eps: 0.1, class: Hat}\n";
        Assert.That(Message(() => ExperimentLoader.Parse(text, "fig.yaml")),
            Is.EqualTo("fig.yaml:6:47: figures[0].class: no class 'Hat' in the dataset; valid: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot"));
    }

    // An unknown key in a stage's options: the valid names are listed once, after the closest one when there is one (the
    // position is the value's).
    public static IEnumerable<TestCaseData> UnknownStageSettings()
    {
        yield return new TestCaseData(Valid + "visualize:\n  options: {nope: 1}\n",
            $"opt.yaml:6:19: visualize.options.nope: unknown visualize setting 'nope'; valid: {string.Join(", ", VisualizeSection.OptionKeys)}").SetName("visualize options");
        yield return new TestCaseData("name: t\ndumbbell:\n  options: {nope: 1}\n",
            $"opt.yaml:3:19: dumbbell.options.nope: unknown dumbbell setting 'nope'; valid: {string.Join(", ", DumbbellSection.OptionKeys)}").SetName("dumbbell options");
        yield return new TestCaseData(Valid + "fooling:\n  options: {mutation_rat: 0.1}\n",
            $"opt.yaml:6:27: fooling.options.mutation_rat: unknown fooling setting 'mutation_rat'; did you mean 'mutation_rate'?; valid: {string.Join(", ", FoolingSection.OptionKeys)}")
            .SetName("fooling options, with a suggestion");
    }

    [TestCaseSource(nameof(UnknownStageSettings))]
    public void UnknownStageSettingListsTheValidOnesOnce(string yaml, string expected)
    {
        var message = Message(() => ExperimentLoader.Parse(yaml, "opt.yaml"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(message, Is.EqualTo(expected));
            Assert.That(message.Split("valid:"), Has.Length.EqualTo(2), "the list of valid names appears once");
        }
    }

    [Test]
    public void DuplicateEpsilonOrAttackIsRefused()
    {
        Assert.That(Message(() => new RobustnessOptions { Epsilons = [0.1, 0.1] }.Validate()), Is.EqualTo("linf epsilon 0.1 is listed twice"));
        Assert.That(Message(() => new RobustnessOptions { Attacks = [new("fgsm"), new("fgsm")] }.Validate()),
            Is.EqualTo("attack 'fgsm' is listed twice with the same settings"));
    }

    [Test]
    public void FoolingAndVisualisationClassesNotInTheDatasetFailValidation()
    {
        var text = Valid + "fooling: {classes: [Bag, Hat, 3]}\nvisualize: {classes: [sneaker, Hatt]}\n";
        var e = Assert.Throws<ConfigException>(() => ExperimentLoader.Parse(text, "classes.yaml"))!;
        var valid = "valid: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot";
        Assert.That(e.Errors.Select(x => x.ToString()), Is.EqualTo(new[]
        {
            $"classes.yaml:5:26: fooling.classes[1]: no class 'Hat' in the dataset; {valid}",
            $"classes.yaml:6:32: visualize.classes[1]: no class 'Hatt' in the dataset; {valid}",
        }), "names in any case and indices pass, as the stages read them");
    }

    [Test]
    public void ARepeatedAttackEntryFailsValidationNotAfterTraining()
    {
        var text = Valid + "attacks:\n  - {attack: fgsm, eps: [0.1]}\n  - {attack: pgd, eps: [0.1]}\n  - {attack: fgsm, eps: [0.1]}\n";
        Assert.That(Message(() => ExperimentLoader.Parse(text, "dup.yaml")),
            Is.EqualTo("dup.yaml:8:5: attacks[2]: attack 'fgsm' is listed twice with the same settings"));
        var distinct = Valid + "attacks:\n  - {attack: fgsm, eps: [0.1]}\n  - {attack: fgsm, eps: [0.2]}\n  - {attack: pgd, eps: [0.1], steps: 5}\n  - {attack: pgd, eps: [0.1], steps: 10}\n";
        Assert.That(ExperimentLoader.Parse(distinct, "ok.yaml").Points, Has.Count.EqualTo(1), "other grids or other settings are other rows");
    }

    // ---- safetensors ----

    private static byte[] Header(string json) => Encoding.UTF8.GetBytes(json);

    public static IEnumerable<TestCaseData> BadSafetensors()
    {
        yield return new TestCaseData("""{"w":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}""", 8L,
            "x: tensor 'w' has invalid data_offsets [-8, 0] (need 0 <= begin <= end)").SetName("negative offset");
        yield return new TestCaseData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12L,
            "x: tensor 'b' overlaps the previous tensor (data_offsets begin 4, previous end 8)").SetName("overlapping offsets");
        yield return new TestCaseData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}""", 12L,
            "x: 4 bytes before tensor 'a' belong to no tensor (data_offsets begin 4, previous end 0)").SetName("gap before a tensor");
        yield return new TestCaseData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", 16L,
            "x: the tensors cover 8 of the 16 data bytes; the rest belongs to no tensor").SetName("data not covered");
        yield return new TestCaseData("""{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}""", 8L,
            "x: tensor 'a' spans 8 bytes, but F32 [3] needs 12").SetName("short span");
        yield return new TestCaseData("""{"a":{"dtype":"Q4","shape":[2],"data_offsets":[0,8]}}""", 8L,
            "x: tensor 'a' has unknown dtype 'Q4' (known: F64, F32, F16, BF16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL)").SetName("wrong dtype");
        yield return new TestCaseData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", 16L,
            "x: tensor 'a' appears twice in the header").SetName("duplicate tensor name");
        yield return new TestCaseData("""{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,80]}}""", 8L,
            "x: tensor 'a' points past the end of the file (data_offsets end 80, data block 8 bytes; truncated?)").SetName("past the end");
        yield return new TestCaseData("""{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", 8L,
            "x: tensor 'a' has a negative dimension in shape [-2]").SetName("negative dimension");
    }

    [TestCaseSource(nameof(BadSafetensors))]
    public void SafetensorsHeaderIsValidatedFully(string json, long dataLength, string expected) =>
        Assert.That(Message(() => SafetensorsHeader.Parse(Header(json), dataLength, "x")), Is.EqualTo(expected));

    private static string SavedCheckpoint(string name = "ckpt")
    {
        var dir = Path.Combine(TestSupport.TempDir(name), "model");
        var spec = ModelZoo.Spec("softmax", [1, 4, 4], ["a", "b", "c"], [0.5f], [0.25f]);
        using var model = ModelZoo.Create(spec);
        Checkpoint.Save(dir, model, CheckpointInfo.FromSpec(spec) with { Dataset = "toy", Metrics = new Dictionary<string, double> { ["test_accuracy"] = 0.9 } });
        return dir;
    }

    [Test]
    public void BitFlippedWeightsFailTheirHash()
    {
        NativeRuntime.EnsureLoaded();
        var dir = SavedCheckpoint();
        var weights = Path.Combine(dir, Checkpoint.WeightsFile);
        var bytes = File.ReadAllBytes(weights);
        bytes[^3] ^= 0x10; // one bit of the last float
        File.WriteAllBytes(weights, bytes);
        Assert.That(Message(() => Checkpoint.Load(dir)), Does.StartWith($"{weights}: SHA-256 ").And.EndWith(
            $"in {Checkpoint.InfoFile}: the weights changed after they were saved (corrupt copy or disk); restore the folder or train again"));
    }

    [Test]
    public void ZeroStdInModelJsonNamesTheField()
    {
        var dir = SavedCheckpoint();
        var path = Path.Combine(dir, Checkpoint.InfoFile);
        var info = JsonNode.Parse(File.ReadAllText(path))!;
        info["normalization"]!["std"] = new JsonArray(0);
        File.WriteAllText(path, info.ToJsonString());
        Assert.That(Message(() => Checkpoint.ReadInfo(dir)),
            Is.EqualTo($"{path}: normalization.std must be positive finite numbers (inputs are divided by it), got [0]"));
    }

    [Test]
    public void ModelJsonPathIsAcceptedWhereTheFolderIs()
    {
        NativeRuntime.EnsureLoaded();
        var dir = SavedCheckpoint();
        var (model, info) = Checkpoint.Load(Path.Combine(dir, Checkpoint.InfoFile));
        using (model) Assert.That(info.ClassNames, Is.EqualTo(new[] { "a", "b", "c" }));
    }

    // ---- IDX ----

    private static byte[] IdxHeader(params int[] dims)
    {
        var b = new byte[4 + 4 * dims.Length];
        b[2] = 0x08;
        b[3] = (byte)dims.Length;
        for (int i = 0; i < dims.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(4 + 4 * i), (uint)dims[i]);
        return b;
    }

    [Test]
    public void GzipBombStopsAtTheSizeTheHeaderAnnounces()
    {
        var path = Path.Combine(TestSupport.TempDir("bomb"), "bomb-images-idx3-ubyte.gz");
        using (var fs = File.Create(path))
        using (var gz = new GZipStream(fs, CompressionLevel.SmallestSize))
        {
            gz.Write(IdxHeader(10, 28, 28));
            var zeros = new byte[1 << 20];
            for (int i = 0; i < 256; i++) gz.Write(zeros); // 256 MB of zeros: a ~250 KB file
        }
        long before = GC.GetAllocatedBytesForCurrentThread();
        var message = Message(() => IdxFile.Read(path, 3));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(message, Is.EqualTo($"{path}: more than 4096 unexpected bytes after the data (10 x 28 x 28)"));
        Assert.That(allocated, Is.LessThan(4_000_000), "only the announced 7,840 bytes (and buffers) are read, never the 256 MB");
    }

    [Test]
    public void IdxHeaderAnnouncingTooMuchIsRefusedBeforeAllocating() =>
        Assert.That(Message(() => IdxFile.Parse(IdxHeader(60000, 2800, 2800), "huge", 3)),
            Is.EqualTo("huge: header announces 60000 x 2800 x 2800 = 470,400,000,000 bytes of data; the limit is 1,073,741,824 (a corrupt header, or a dataset larger than this reader handles; RL_MAX_IDX_BYTES raises the limit)"));

    // ---- resource limits of the work itself ----

    [Test]
    public void ThreadsBeyondTheCoresAreCappedWithAWarning()
    {
        var warnings = new List<string>();
        int t = ResourceLimits.Threads(10_000, "--threads", warnings.Add);
        Assert.That(t, Is.EqualTo(Environment.ProcessorCount));
        Assert.That(warnings, Is.EqualTo(new[]
        {
            $"--threads 10000 is more than the {Environment.ProcessorCount} cores here; using {Environment.ProcessorCount} (more threads than cores only slow libtorch down; RL_MAX_THREADS_PER_CORE raises the cap)",
        }));
        Assert.That(Message(() => ResourceLimits.Threads(-1, "--threads", null)), Is.EqualTo("--threads must be >= 0 (0: one per core), got -1"));
    }

    [TestCase(10_000_000, 0, "10000000 seed(s) at 28x28 px needs about")]
    [TestCase(1, 100_000, "1 seed(s) at 100000x100000 px needs about")]
    public void VisualisationThatCannotFitIsRefusedBeforeAllocating(int seeds, int size, string start)
    {
        var o = new VisualizationOptions { Seeds = Enumerable.Range(0, seeds).ToArray(), ImageSize = size };
        var e = Assert.Throws<LabUsageException>(() => o.Validate(28, 28))!;
        Assert.That(e.Message, Does.StartWith(start).And.EndWith("lower --seeds or --size (visualize.seeds, visualize.size) (or raise RL_MEMORY_PERCENT)"));
    }

    [TestCase(10_000_000)]
    [TestCase(2_000_000_000)]
    public void HugeFoolingPopulationIsRefusedNotASegfault(int population)
    {
        NativeRuntime.EnsureLoaded();
        var spec = ModelZoo.Spec("softmax", [1, 28, 28], Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray(), [0.5f], [0.25f]);
        using var model = ModelZoo.Create(spec);
        var e = Assert.Throws<LabUsageException>(() => FoolingRun.Search(model, new FoolingOptions { Population = population, Generations = 1 }, [0]))!;
        Assert.That(e.Message, Does.StartWith($"population {population} of 1x28x28 images needs about").And.EndWith("lower --population (fooling.population) (or raise RL_MEMORY_PERCENT)"));
    }

    // ---- training: chance level, resume, output folder ----

    [Test]
    public void ChanceLevelIsFlagged()
    {
        Assert.That(SanityFlags.ChanceLevel(0.167, 6), Is.EqualTo(
            "clean accuracy 0.167 is at chance level (1/6 = 0.167): the model has learnt nothing, so its robustness, fooling and visualisation results mean nothing"));
        Assert.That(SanityFlags.ChanceLevel(0.30, 6), Is.Null, "0.30 on 6 classes is well above chance");
    }

    [Test]
    public void TrainerWarnsWhenTrainingStallsAtChance()
    {
        using var data = TestSupport.Toy(train: 64, test: 64, classes: 4);
        var stalled = new List<EpochRecord> { new() { Epoch = 3, TrainAccuracy = 0.26, TestAccuracy = 0.25 } };
        Assert.That(Trainer.ChanceWarnings(stalled, data), Is.EqualTo(new[]
        {
            "training stalled after 3 epoch(s): train accuracy 0.260 is at chance level (1/4 = 0.250): the model has learnt nothing, so its robustness, fooling and visualisation results mean nothing; try a lower --lr or a smaller adversarial eps",
            "test accuracy 0.250 is at chance level (1/4 = 0.250): the model has learnt nothing, so its robustness, fooling and visualisation results mean nothing",
        }));
        Assert.That(Trainer.ChanceWarnings([new() { Epoch = 3, TrainAccuracy = 0.9, TestAccuracy = 0.88 }], data), Is.Empty);
    }

    [Test]
    public void AModelAtChanceIsFlaggedInTheRunsModelSection()
    {
        NativeRuntime.EnsureLoaded();
        using var data = TestSupport.Toy(train: 64, test: 64, size: 4, classes: 3);
        var dir = Path.Combine(TestSupport.TempDir("chance"), "model");
        var spec = ModelZoo.Spec("softmax", [1, 4, 4], data.ClassNames, [0.5f], [0.25f]);
        using (var m = ModelZoo.Create(spec))
            Checkpoint.Save(dir, m, CheckpointInfo.FromSpec(spec) with { Metrics = new Dictionary<string, double> { ["test_accuracy"] = 0.34 } });
        var config = new ExperimentConfig
        {
            Name = "chance",
            Dataset = new DatasetConfig { Name = "toy" },
            Models = new Dictionary<string, ModelConfig> { ["m"] = new() { Checkpoint = dir } },
        };
        var (models, output, _) = ModelStage.Prepare(config, data, TestSupport.Context(), new ModelCache(Path.Combine(dir, "..", "cache")), null, CancellationToken.None);
        foreach (var m in models.Values) m.Model.Dispose();
        Assert.That(output.View.Flags, Is.EqualTo(new[]
        {
            new SanityFlag("error", "test accuracy 0.340 is at chance level (1/3 = 0.333): the model has learnt nothing, so its robustness, fooling and visualisation results mean nothing", "m"),
        }));
    }

    [Test]
    public void ResumeWithADifferentSpecNamesEveryDifference()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy(train: 128, test: 64);
        using var small = TestSupport.Toy(train: 96, test: 64);
        var dir = Path.Combine(TestSupport.TempDir("resume"), "ckpt");
        var trainer = new Trainer(ctx);
        var spec = ModelZoo.Spec("mlp", [1, 12, 12], data.ClassNames, [0.3f], [0.3f], new Dictionary<string, double> { ["hidden"] = 16, ["layers"] = 1 });
        var options = new TrainingOptions { Epochs = 1, BatchSize = 64 };
        using (var m = trainer.CreateModel(spec, 0)) trainer.Train(m, data, options, new TrainingCheckpointFolder(dir));

        var other = ModelZoo.Spec("mlp", [1, 12, 12], data.ClassNames, [0.3f], [0.3f], new Dictionary<string, double> { ["hidden"] = 32, ["layers"] = 1 });
        using var changed = trainer.CreateModel(other, 0);
        var message = Message(() => trainer.Train(changed, small, options with { Epochs = 2, LearningRate = 0.01 }, new TrainingCheckpointFolder(dir, resume: true)));
        Assert.That(message, Is.EqualTo($"cannot resume from '{dir}': it was trained with a different spec: model argument hidden: 16 in the checkpoint, 32 now; " +
                                        "train rows: 128 in the checkpoint, 96 now; lr: 0.003 in the checkpoint, 0.01 now " +
                                        "(resume with the same settings, or choose another --out, or pass --force to replace it)"));

        // `--model softmax` on an mlp checkpoint: the architecture (and the arguments it lacks) are named, nothing is trained.
        var softmax = ModelZoo.Spec("softmax", [1, 12, 12], data.ClassNames, [0.3f], [0.3f]);
        using var otherArchitecture = trainer.CreateModel(softmax, 0);
        Assert.That(Message(() => trainer.Train(otherArchitecture, data, options with { Epochs = 2 }, new TrainingCheckpointFolder(dir, resume: true))),
            Does.StartWith($"cannot resume from '{dir}': it was trained with a different spec: architecture: mlp in the checkpoint, softmax now; model argument "));
    }

    [Test]
    public void TruncatedOptimizerStateOnResumeNamesTheFile()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy(train: 128, test: 64);
        var dir = Path.Combine(TestSupport.TempDir("optim"), "ckpt");
        var trainer = new Trainer(ctx);
        var spec = ModelZoo.Spec("mlp", [1, 12, 12], data.ClassNames, [0.3f], [0.3f], new Dictionary<string, double> { ["hidden"] = 16, ["layers"] = 1 });
        var options = new TrainingOptions { Epochs = 1, BatchSize = 64 };
        using (var m = trainer.CreateModel(spec, 0)) trainer.Train(m, data, options, new TrainingCheckpointFolder(dir));
        var optimizer = Path.Combine(dir, TrainingCheckpointFolder.OptimizerFile);
        File.WriteAllBytes(optimizer, File.ReadAllBytes(optimizer)[..20]);
        using var again = trainer.CreateModel(spec, 0);
        Assert.That(Message(() => trainer.Train(again, data, options with { Epochs = 2 }, new TrainingCheckpointFolder(dir, resume: true))),
            Does.StartWith($"{optimizer}: truncated or corrupt optimizer state (").And.EndWith("); cannot resume: pass --force to train from scratch"));
    }

    [Test]
    public void ForcedRetrainingLeavesNothingOfTheOldModel()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy(train: 128, test: 64);
        var dir = Path.Combine(TestSupport.TempDir("force"), "ckpt");
        var trainer = new Trainer(ctx);
        var spec = ModelZoo.Spec("mlp", [1, 12, 12], data.ClassNames, [0.3f], [0.3f], new Dictionary<string, double> { ["hidden"] = 16, ["layers"] = 1 });
        using (var m = trainer.CreateModel(spec, 0)) trainer.Train(m, data, new TrainingOptions { Epochs = 1, BatchSize = 64 }, new TrainingCheckpointFolder(dir));
        File.WriteAllText(Path.Combine(dir, ModelCache.EntryFile), "{}");
        Assert.That(Message(() => Checkpoint.CheckOutput(dir, resume: false, force: false)),
            Does.StartWith($"--out '{dir}' already holds a checkpoint (mlp, epoch 1, test accuracy ").And.EndWith("); pass --resume to continue it or --force to replace it"));
        using (var m = trainer.CreateModel(spec, 1)) trainer.Train(m, data, new TrainingOptions { Epochs = 1, BatchSize = 64, Seed = 1 }, new TrainingCheckpointFolder(dir));
        Assert.That(File.Exists(Path.Combine(dir, ModelCache.EntryFile)), Is.False, "metadata of the replaced model is gone");
        Assert.That(Message(() => Checkpoint.CheckOutput(Path.Combine(dir, Checkpoint.InfoFile), resume: false, force: false)),
            Is.EqualTo($"--out '{Path.Combine(dir, Checkpoint.InfoFile)}' is a file; a checkpoint is a folder"));
    }

    // ---- runner: interruption, status, lock ----

    [Test, CancelAfter(60_000)]
    public void AStageThatStopsEarlyOnCancelIsNeverStoredAsFinished()
    {
        var dir = TestSupport.TempDir("interrupt");
        var path = ExperimentFixtures.Write(dir, "c.yaml", "name: stopped\ndemo: {stop_early: true}\n");
        var runner = new ExperimentRunner(DemoStage.Registry);
        var experiment = ExperimentLoader.Load(path, null, DemoStage.Registry);
        var outDir = Path.Combine(dir, "run");
        using var cts = new CancellationTokenSource();
        DemoStage.StopEarlyEntered.Reset();
        var run = Task.Run(() => runner.Run(experiment, new RunOptions { OutDirectory = outDir, WriteGallery = false, Cancel = cts.Token }));
        Assert.That(DemoStage.StopEarlyEntered.Wait(TimeSpan.FromSeconds(50)), Is.True, "the stage started");
        cts.Cancel(); // what Ctrl-C or SIGTERM does through the CLI host
        Assert.That(() => run.GetAwaiter().GetResult(), Throws.InstanceOf<OperationCanceledException>());
        var interrupted = RunResults.Read(outDir);
        Assert.That(interrupted.Status, Is.EqualTo("interrupted"));
        Assert.That(File.Exists(Path.Combine(outDir, "stages", "demo.json")), Is.False, "the truncated result is not a stage record");
        Assert.That(interrupted.Points[0].Stages.ContainsKey("demo"), Is.False);

        var gate = new RegressionGate([GateRule.Parse("demo.generations >= 0", "test")], null, "test");
        var outcome = gate.Check(interrupted)[0];
        Assert.That(outcome.Passed, Is.False);
        Assert.That(outcome.Problem, Is.EqualTo("the run is 'interrupted', not complete: rerun it (lab run resumes where it stopped) before checking"));
    }

    [Test]
    public void ASecondRunOnTheSameFolderNamesTheHolderAndAStaleLockIsTakenOver()
    {
        var dir = Path.Combine(TestSupport.TempDir("lock"), "run");
        using (RunLock.Acquire(dir))
        {
            var message = Message(() => RunLock.Acquire(dir));
            Assert.That(message, Does.StartWith($"'{dir}' is in use by process {Environment.ProcessId} on {System.Net.Dns.GetHostName()} (since ")
                .And.EndWith("UTC): wait for that run to finish or stop it, or choose another --out"));
        }
        // A killed holder leaves its files behind; the kernel released its lock, so the next run takes over.
        File.WriteAllText(Path.Combine(dir, RunLock.LockFile), "");
        File.WriteAllText(Path.Combine(dir, RunLock.HolderFile), """{"pid": 999999, "host": "gone", "started": "2026-01-01T00:00:00Z"}""");
        using (RunLock.Acquire(dir)) Assert.Pass();
    }

    [Test]
    public void MalformedGateRuleIsAUsageError()
    {
        var e = Assert.Throws<LabUsageException>(() => GateRule.Parse("eval.standard.accuracy >== 0.9", "--rule 1"))!;
        Assert.That(e.Message, Is.EqualTo("--rule 1: cannot read rule 'eval.standard.accuracy >== 0.9'; write 'PATH >= 0.85' (or <=, >, <, ==, !=) or 'PATH within 0.03 of baseline' (or 'of 0.91')"));
    }
}
