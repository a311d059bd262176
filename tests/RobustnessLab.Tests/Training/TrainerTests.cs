using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using RobustnessLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Training;

public class TrainerTests
{
    private static ModelSpec CnnSpec(DataSplits d) =>
        ModelZoo.Spec("cnn", [d.Channels, d.Height, d.Width], d.ClassNames, [0.3f], [0.3f], new Dictionary<string, double> { ["width"] = 16, ["hidden"] = 32 });

    private static readonly TrainingOptions Quick = new() { Epochs = 2, BatchSize = 64, LearningRate = 3e-3, Seed = 11 };

    private static float[] Weights(Classifier m) =>
        m.parameters().SelectMany(p => p.detach().cpu().data<float>().ToArray()).ToArray();

    [Test]
    public void SameSeedAndThreadsGiveTheSameWeights()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy();
        var trainer = new Trainer(ctx);
        using var a = trainer.CreateModel(CnnSpec(data), 11);
        using var b = trainer.CreateModel(CnnSpec(data), 11);
        trainer.Train(a, data, Quick);
        trainer.Train(b, data, Quick);
        Assert.That(Weights(a), Is.EqualTo(Weights(b)));
    }

    [Test]
    public void DifferentSeedsGiveDifferentWeights()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy();
        var trainer = new Trainer(ctx);
        using var a = trainer.CreateModel(CnnSpec(data), 11);
        using var b = trainer.CreateModel(CnnSpec(data), 12);
        trainer.Train(a, data, Quick);
        trainer.Train(b, data, Quick with { Seed = 12 });
        Assert.That(Weights(a), Is.Not.EqualTo(Weights(b)));
    }

    [Test]
    public void ResumedRunEndsWhereAnUninterruptedOneWould()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy();
        var trainer = new Trainer(ctx);
        var dirFull = TestSupport.TempDir("full");
        var dirResumed = TestSupport.TempDir("resumed");
        try
        {
            var three = Quick with { Epochs = 3 };
            using var full = trainer.CreateModel(CnnSpec(data), 11);
            trainer.Train(full, data, three, new TrainingCheckpointFolder(dirFull));

            // "Interrupted" run: the same settings, killed after epoch 1 (simulated by cancelling after the first checkpoint).
            using var first = trainer.CreateModel(CnnSpec(data), 11);
            using var cts = new CancellationTokenSource();
            var progress = new SyncProgress(p => { if (p.Epoch == 2) cts.Cancel(); });
            Assert.That(() => trainer.Train(first, data, three, new TrainingCheckpointFolder(dirResumed), progress: progress, cancel: cts.Token), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(Checkpoint.ReadInfo(dirResumed).Epoch, Is.EqualTo(1));

            using var resumed = trainer.CreateModel(CnnSpec(data), 999); // different init: resume must overwrite it
            var result = trainer.Train(resumed, data, three, new TrainingCheckpointFolder(dirResumed, resume: true));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Resumed, Is.True);
                Assert.That(result.History, Has.Count.EqualTo(3));
                Assert.That(Weights(resumed), Is.EqualTo(Weights(full)));
                Assert.That(File.ReadAllLines(Path.Combine(dirResumed, TrainingCheckpointFolder.LogFile)), Has.Length.EqualTo(4));
            }
        }
        finally
        {
            Directory.Delete(dirFull, true);
            Directory.Delete(dirResumed, true);
        }
    }

    /// <summary>A checkpoint store in memory: what the trainer handed it after each epoch.</summary>
    private sealed class RecordingStore : ITrainingCheckpoints
    {
        public List<(int Epoch, bool StartsRun, int Logged, int EpochsDone)> Saved { get; } = [];
        public string Location => "memory";
        public SavedTraining? Resumable() => null;
        public void Restore(Classifier model, TorchSharp.Modules.OptimizerHelper optimizer) => throw new InvalidOperationException("nothing to restore");
        public void Save(TrainingCheckpoint c) => Saved.Add((c.Info.Epoch, c.StartsRun, c.State.History.Count, c.State.EpochsDone));
        public int? StoredEpoch() => Saved.Count == 0 ? null : Saved[^1].Epoch;
    }

    [Test]
    public void EveryFinishedEpochGoesToTheCallersStore()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy();
        var trainer = new Trainer(ctx);
        var store = new RecordingStore();
        using var model = trainer.CreateModel(CnnSpec(data), 11);
        trainer.Train(model, data, Quick, store);
        // The first save of a fresh run replaces what the store held; each carries the log so far.
        Assert.That(store.Saved, Is.EqualTo(new[] { (1, true, 1, 1), (2, false, 2, 2) }));
    }

    [Test]
    public void DivergingLossStopsTheRunAndKeepsTheLastGoodCheckpoint()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy();
        var trainer = new Trainer(ctx);
        var dir = TestSupport.TempDir("nan");
        try
        {
            using var model = trainer.CreateModel(CnnSpec(data), 1);
            trainer.Train(model, data, Quick with { Epochs = 1 }, new TrainingCheckpointFolder(dir));
            var before = File.ReadAllBytes(Path.Combine(dir, Checkpoint.WeightsFile));
            // Poison the weights: the next forward pass yields NaN logits, hence a NaN loss.
            using (no_grad()) model.parameters().First().fill_(float.NaN);
            Assert.That(() => trainer.Train(model, data, Quick with { Epochs = 2 }, new TrainingCheckpointFolder(dir)),
                Throws.TypeOf<TrainingDivergedException>().With.Message.Contains("NaN").And.Message.Contains("epoch 1"));
            Assert.That(File.ReadAllBytes(Path.Combine(dir, Checkpoint.WeightsFile)), Is.EqualTo(before));
        }
        finally { Directory.Delete(dir, true); }
    }

    [TestCase(0.0, 64, 1, "learning rate")]
    [TestCase(-1.0, 64, 1, "learning rate")]
    [TestCase(1e-3, 0, 1, "batch size")]
    [TestCase(1e-3, 64, 0, "epochs")]
    public void BadSettingsAreRejected(double lr, int batch, int epochs, string expected)
    {
        var o = new TrainingOptions { LearningRate = lr, BatchSize = batch, Epochs = epochs };
        Assert.That(o.Validate, Throws.TypeOf<LabException>().With.Message.Contains(expected));
    }

    [Test]
    [Category("Slow")]
    public void ShortRunOnAFashionMnistSubsetLearns()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.FashionSubset(train: 6000, test: 1000);
        var trainer = new Trainer(ctx);
        var (mean, std) = Trainer.ChannelStatistics(data.Train);
        using var model = trainer.CreateModel(ModelZoo.Spec("cnn", [1, 28, 28], data.ClassNames, mean, std), 0);
        var r = trainer.Train(model, data, new TrainingOptions { Epochs = 2, Seed = 0 });
        // A 2-epoch cnn on 6,000 images reaches about 0.84; 0.78 leaves room for thread-count differences.
        Assert.That(r.Metrics["test_accuracy"], Is.GreaterThan(0.78));
    }

    [Test]
    [Category("Slow")]
    public void TrainingLoopLeaksNoTensorsAndNoResidentMemory()
    {
        var ctx = TestSupport.Context();
        using var data = TestSupport.Toy(train: 2048);
        var trainer = new Trainer(ctx);
        using var model = trainer.CreateModel(CnnSpec(data), 3);
        var o = Quick with { Epochs = 2 };
        trainer.Train(model, data, o); // warm-up: allocator pools, optimiser state
        long live0 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        double rss0 = Trainer.ResidentMegabytes();
        trainer.Train(model, data, o with { Epochs = 8 });
        long live1 = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        double rss1 = Trainer.ResidentMegabytes();
        using (Assert.EnterMultipleScope())
        {
            // 8 epochs x 32 steps; a per-step leak of even one tensor would add 256.
            Assert.That(live1 - live0, Is.LessThan(40), "live tensors grew");
            Assert.That(rss1 - rss0, Is.LessThan(30), "resident memory grew (MB)");
        }
    }

    private sealed class SyncProgress(Action<TrainingProgress> a) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => a(value);
    }
}
