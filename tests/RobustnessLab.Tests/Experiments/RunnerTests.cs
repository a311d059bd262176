using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

/// <summary>The runner end to end on tiny Fashion-MNIST training (one thread): results, cache hits, resume, refusals.</summary>
[Category("Slow")]
public class RunnerTests
{
    private static RunResults Run(string dir, string config, string outName = "run", string[]? set = null, string cache = "cache")
    {
        var path = ExperimentFixtures.Write(dir, "config.yaml", config);
        var experiment = ExperimentLoader.Load(path, set, DemoStage.Registry);
        var runner = new ExperimentRunner(DemoStage.Registry);
        return runner.Run(experiment, new RunOptions { OutDirectory = Path.Combine(dir, outName), CacheDirectory = Path.Combine(dir, cache), Overrides = set ?? [] });
    }

    private static double Accuracy(RunResults r, string model = "small") => r.Points[0].Stages["eval"]![model]!["accuracy"]!.GetValue<double>();

    private static string CacheStatus(RunResults r, string model = "small") => r.Points[0].Runtime["models"].Details![model]!["status"]!.GetValue<string>();

    [Test]
    public void TrainsEvaluatesAndWritesResultsAndGallery()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("runner");
        var r = Run(dir, ExperimentFixtures.TinyConfig("tiny", extra: "demo: {images: 2}"));
        var onDisk = RunResults.Read(Path.Combine(dir, "run"));
        var model = r.Points[0].Stages["models"]!["small"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(onDisk.Status, Is.EqualTo("complete"));
            Assert.That(onDisk.Points[0].Stages.Keys, Is.EqualTo(new[] { "models", "eval", "demo" }));
            Assert.That(Accuracy(onDisk), Is.GreaterThan(0.25), "a 1-epoch MLP on 600 rows is well above chance (0.1)");
            Assert.That(Accuracy(onDisk), Is.EqualTo(model["metrics"]!["test_accuracy"]!.GetValue<double>()),
                "eval of the trained model on the same 200 test rows matches the trainer's own test accuracy");
            Assert.That(model["source"]!.GetValue<string>(), Is.EqualTo("trained"));
            Assert.That(CacheStatus(r), Is.EqualTo("trained"));
            Assert.That(onDisk.Config["models"]!["small"]!["lr"]!.GetValue<double>(), Is.EqualTo(3e-3), "results hold the resolved config");
            Assert.That(onDisk.Provenance.Finished, Is.Not.Null);
            Assert.That(onDisk.Provenance.Code.Threads, Is.EqualTo(1));
            Assert.That(onDisk.Provenance.Packages.Keys, Does.Contain("TorchSharp").And.Contain("YamlDotNet"));
            Assert.That(File.Exists(Path.Combine(dir, "run", "stages", "demo", "panel-1.png")), Is.True);
            Assert.That(File.ReadAllText(Path.Combine(dir, "run", Gallery.PageFile)), Does.Contain("Clean accuracy").And.Contain("panel-0.png"));
        }
    }

    [Test]
    public void EditingAStageNeverRetrainsAndReusesTheUntouchedStages()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("cache");
        var first = Run(dir, ExperimentFixtures.TinyConfig("cached", extra: "demo: {label: one}"));
        int runs = DemoStage.Runs;
        var second = Run(dir, ExperimentFixtures.TinyConfig("cached", extra: "demo: {label: two}"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CacheStatus(first), Is.EqualTo("trained"));
            Assert.That(CacheStatus(second), Is.EqualTo("hit"), "changing a stage never retrains");
            Assert.That(second.Points[0].Runtime["eval"].Reused, Is.True, "eval's inputs did not change");
            Assert.That(second.Points[0].Runtime["demo"].Reused, Is.False);
            Assert.That(DemoStage.Runs, Is.EqualTo(runs + 1), "only the edited stage ran");
            Assert.That(second.Points[0].Stages["models"]!.ToJsonString(), Is.EqualTo(first.Points[0].Stages["models"]!.ToJsonString()),
                "a cached model has the same record as a freshly trained one");
        }
        var third = Run(dir, ExperimentFixtures.TinyConfig("cached", epochs: 2, extra: "demo: {label: two}"));
        Assert.That(CacheStatus(third), Is.EqualTo("trained"), "a changed training spec trains a new model");
        Assert.That(third.Points[0].Runtime["eval"].Reused, Is.False, "and everything downstream reruns");
        Assert.That(Directory.GetDirectories(Path.Combine(dir, "cache")).Count(d => !d.EndsWith(".lock")), Is.EqualTo(2), "two specs, two cache entries");
    }

    [Test]
    public void ACrashMidRunLeavesCompleteFilesAndTheRerunResumes()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("crash");
        var ex = Assert.Throws<InvalidOperationException>(() => Run(dir, ExperimentFixtures.TinyConfig("crash", extra: "demo: {fail: true}")));
        Assert.That(ex!.Message, Does.Contain("on purpose"));
        var crashed = RunResults.Read(Path.Combine(dir, "run"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(crashed.Status, Is.EqualTo("failed"));
            Assert.That(crashed.Error, Does.Contain("on purpose"));
            Assert.That(crashed.Points[0].Stages.Keys, Is.EqualTo(new[] { "models", "eval" }), "finished stages are recorded");
            Assert.That(File.ReadAllText(Path.Combine(dir, "run", Gallery.PageFile)), Does.Contain("This run failed"));
            Assert.That(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no half-written files");
        }
        var resumed = Run(dir, ExperimentFixtures.TinyConfig("crash", extra: "demo: {fail: false}"));
        Assert.That(resumed.Status, Is.EqualTo("complete"));
        Assert.That(CacheStatus(resumed), Is.EqualTo("hit"));
        Assert.That(resumed.Points[0].Runtime["eval"].Reused, Is.True, "the finished stage is not redone");
        Assert.That(Accuracy(resumed), Is.EqualTo(Accuracy(crashed)));
    }

    [Test]
    public void CheckpointModelsAreLoadedAndEvaluated()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("ckpt");
        var trained = Run(dir, ExperimentFixtures.TinyConfig("ckpt"));
        var entry = trained.Points[0].Runtime["models"].Details!["small"]!["path"]!.GetValue<string>();
        var config = ExperimentFixtures.TinyConfig("ckpt-load").Replace("""
    architecture: mlp
    args: {hidden: 16, layers: 1}
    epochs: 1
    batch_size: 64
""", $"    checkpoint: {entry}\n");
        var loaded = Run(dir, config, "run2");
        Assert.That(loaded.Points[0].Stages["models"]!["small"]!["source"]!.GetValue<string>(), Is.EqualTo("checkpoint"));
        Assert.That(Accuracy(loaded), Is.EqualTo(Accuracy(trained)), "the same weights give the same accuracy");
    }

    [Test]
    public void BadOutputFoldersAreClearErrors()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("badout");
        var file = ExperimentFixtures.Write(dir, "not-a-folder", "x");
        var ex = Assert.Throws<LabException>(() => Run(dir, ExperimentFixtures.TinyConfig("badout"), Path.Combine("not-a-folder", "run")));
        Assert.That(ex!.Message, Does.Contain("cannot be written"));
        Run(dir, ExperimentFixtures.TinyConfig("first"), "shared");
        ex = Assert.Throws<LabException>(() => Run(dir, ExperimentFixtures.TinyConfig("second"), "shared"));
        Assert.That(ex!.Message, Does.Contain("holds the results of run 'first'"));
        Assert.That(File.ReadAllText(file), Is.EqualTo("x"));
    }
}
