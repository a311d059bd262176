using System.Diagnostics;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// Trains a <see cref="Classifier"/> with a pluggable objective. Deterministic for a seed and thread count:
/// weights are initialised, batches shuffled and dropout drawn from generators derived from (seed, epoch), so a run
/// resumed from its epoch-k checkpoint ends where an uninterrupted one would.
/// </summary>
public sealed class Trainer
{
    private readonly LabContext context;

    public Trainer(LabContext context) => this.context = context;

    /// <summary>A fresh model for a spec, initialised from the seed (the same seed gives the same weights).</summary>
    public Classifier CreateModel(ModelSpec spec, int seed)
    {
        torch.manual_seed((long)LabContext.DeriveSeed(seed, 1));
        var model = ModelZoo.Create(spec);
        model.to(context.Device);
        return model;
    }

    /// <summary>
    /// Runs the remaining epochs. With <paramref name="checkpoints"/>, the state after every epoch goes to it, and a run
    /// it holds (<see cref="ITrainingCheckpoints.Resumable"/>) is continued when its spec matches this one; the trainer
    /// itself writes no file. <paramref name="datasetName"/> names the data in model.json (default: the splits' name).
    /// </summary>
    public TrainingResult Train(Classifier model, DataSplits data, TrainingOptions options, ITrainingCheckpoints? checkpoints = null,
        string? datasetName = null, IProgress<TrainingProgress>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        CheckShapes(model, data);
        var objective = TrainingObjectives.Create(options.Objective, options.ObjectiveArgs);
        var history = new List<EpochRecord>();
        int startEpoch = 0;
        var total = Stopwatch.StartNew();
        var shape = DataShape(data, datasetName);

        // Before the optimizer exists: the check converts the model to float64 and back, which replaces its parameters.
        InputGradientCheck.Ensure(model);
        using var optimizer = CreateOptimizer(model, options);
        if (checkpoints?.Resumable() is { } saved)
        {
            var differences = SpecDifferences(saved.Info, saved.State, model.Spec, options, shape);
            if (differences.Count > 0)
                throw new LabException($"cannot resume from '{checkpoints.Location}': it was trained with a different spec: {string.Join("; ", differences)} " +
                                       "(resume with the same settings, or choose another --out, or pass --force to replace it)");
            checkpoints.Restore(model, optimizer);
            startEpoch = saved.State.EpochsDone;
            history.AddRange(saved.State.History);
            if (startEpoch >= options.Epochs)
                return new TrainingResult(history, FinalMetrics(history), total.Elapsed.TotalSeconds, true) { Warnings = ChanceWarnings(history, data) };
        }

        int steps = (data.Train.Count + options.BatchSize - 1) / options.BatchSize;
        for (int epoch = startEpoch; epoch < options.Epochs; epoch++)
        {
            cancel.ThrowIfCancellationRequested();
            var sw = Stopwatch.StartNew();
            torch.manual_seed((long)LabContext.DeriveSeed(options.Seed, 1000 + epoch));
            using var shuffle = new Generator(LabContext.DeriveSeed(options.Seed, 2000 + epoch), CPU);
            using var stepGen = new Generator(LabContext.DeriveSeed(options.Seed, 3000 + epoch), CPU);
            var order = data.Train.Order(shuffle);
            model.train();
            double lossSum = 0;
            long correct = 0, seen = 0;
            double lr = 0;
            for (int s = 0; s < steps; s++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                lr = LearningRateSchedule.At(options, (long)epoch * steps + s, steps);
                foreach (var g in optimizer.ParamGroups) g.LearningRate = lr;
                var (x, y) = data.Train.Batch(order, s * options.BatchSize, options.BatchSize, context.Device);
                optimizer.zero_grad();
                var output = objective.Compute(model, x, y, new TrainingStepInfo(epoch, s, steps, options.Epochs, stepGen) { Workers = context.Workers });
                float loss = output.Loss.item<float>();
                if (!float.IsFinite(loss))
                    throw new TrainingDivergedException(
                        $"loss became {loss} at epoch {epoch + 1}, step {s + 1} (lr {lr:G3}); stopped. " +
                        (checkpoints?.StoredEpoch() is { } kept
                            ? $"The last good checkpoint (epoch {kept}) is kept in '{checkpoints.Location}'."
                            : "No checkpoint was written.") +
                        " Try a lower --lr.");
                output.Loss.backward();
                optimizer.step();
                long n = y.shape[0];
                lossSum += loss * n;
                correct += output.Logits.argmax(1).eq(y).sum().item<long>();
                seen += n;
                if (progress is not null && (s % 10 == 0 || s == steps - 1))
                    progress.Report(new TrainingProgress(epoch + 1, options.Epochs, s + 1, steps, lossSum / seen, (double)correct / seen,
                        seen / sw.Elapsed.TotalSeconds, lr, "train"));
            }
            double trainSeconds = sw.Elapsed.TotalSeconds;
            progress?.Report(new TrainingProgress(epoch + 1, options.Epochs, steps, steps, lossSum / seen, (double)correct / seen, seen / trainSeconds, lr, "eval"));
            var val = data.Validation.Count > 0 ? Accuracy.Evaluate(model, data.Validation) : null;
            var test = Accuracy.Evaluate(model, data.Test, limit: options.EvalLimit);
            model.train();
            var record = new EpochRecord
            {
                Epoch = epoch + 1,
                TrainLoss = lossSum / seen,
                TrainAccuracy = (double)correct / seen,
                ValLoss = val?.MeanLoss ?? double.NaN,
                ValAccuracy = val?.Accuracy ?? double.NaN,
                TestAccuracy = test.Accuracy,
                LearningRate = lr,
                Seconds = sw.Elapsed.TotalSeconds,
                ImagesPerSecond = seen / trainSeconds,
                RssMb = ResidentMegabytes(),
            };
            history.Add(record);
            // The first epoch of a new run replaces whatever the store held: nothing of an earlier model stays beside these weights.
            checkpoints?.Save(EpochCheckpoint(model, optimizer, options, history, shape, startsRun: startEpoch == 0 && epoch == 0));
        }
        model.eval();
        // Leave no parameter gradients behind: whatever runs next (attacks, tests of "no backward") starts clean.
        model.zero_grad(set_to_none: true);
        return new TrainingResult(history, FinalMetrics(history), total.Elapsed.TotalSeconds, startEpoch > 0) { Warnings = ChanceWarnings(history, data) };
    }

    /// <summary>Lines saying that training left the model at chance (train or test accuracy), empty when it learnt.</summary>
    public static IReadOnlyList<string> ChanceWarnings(IReadOnlyList<EpochRecord> history, DataSplits data)
    {
        if (history.Count == 0) return [];
        var last = history[^1];
        var warnings = new List<string>();
        if (SanityFlags.ChanceLevel(last.TrainAccuracy, data.ClassNames.Count, "train accuracy") is { } train)
            warnings.Add($"training stalled after {last.Epoch} epoch(s): {train}; try a lower --lr or a smaller adversarial eps");
        if (SanityFlags.ChanceLevel(last.TestAccuracy, data.ClassNames.Count, "test accuracy") is { } test)
            warnings.Add(test);
        return warnings;
    }

    /// <summary>
    /// Every way the checkpoint's training spec differs from this run's: model (architecture, arguments, input shape,
    /// classes), data (dataset, train and validation rows, split seed) and trainer settings other than the epoch count.
    /// </summary>
    private static List<string> SpecDifferences(CheckpointInfo saved, TrainingState state, ModelSpec spec, TrainingOptions options, TrainingDataShape data)
    {
        var d = new List<string>();
        void Compare(string what, string? was, string? now)
        {
            if (!string.Equals(was, now, StringComparison.Ordinal)) d.Add($"{what}: {was ?? "(unset)"} in the checkpoint, {now ?? "(unset)"} now");
        }
        static string N(double v) => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        Compare("architecture", saved.Architecture, spec.Architecture);
        foreach (var key in saved.Args.Keys.Union(spec.Args.Keys).Order(StringComparer.Ordinal))
            Compare($"model argument {key}", saved.Args.TryGetValue(key, out var a) ? N(a) : null, spec.Args.TryGetValue(key, out var b) ? N(b) : null);
        Compare("input shape", string.Join("x", saved.InputShape), string.Join("x", spec.InputShape));
        Compare("classes", string.Join(",", saved.ClassNames), string.Join(",", spec.ClassNames));
        if (state.Data is { } was)
        {
            Compare("dataset", was.Dataset, data.Dataset);
            Compare("train rows", was.TrainRows.ToString(System.Globalization.CultureInfo.InvariantCulture), data.TrainRows.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Compare("validation rows", was.ValidationRows.ToString(System.Globalization.CultureInfo.InvariantCulture), data.ValidationRows.ToString(System.Globalization.CultureInfo.InvariantCulture));
            // Same counts, other rows: a changed split seed is a changed training set.
            if (was.SplitSeed is { } seedWas && data.SplitSeed is { } seedNow)
                Compare("split seed", seedWas.ToString(System.Globalization.CultureInfo.InvariantCulture), seedNow.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        else Compare("dataset", saved.Dataset, data.Dataset);
        // Through the options record, so settings added since the checkpoint was written compare as their defaults.
        var before = JsonNode.Parse(Json.Serialize(Json.Deserialize<TrainingOptions>(state.Options.ToJsonString(), TrainingCheckpointFolder.StateFile)))!.AsObject();
        var after = JsonNode.Parse(Json.Serialize(options))!.AsObject();
        before.Remove("epochs");
        after.Remove("epochs");
        foreach (var key in before.Select(p => p.Key).Union(after.Select(p => p.Key)).Order(StringComparer.Ordinal))
        {
            var x = before[key]?.ToJsonString();
            var y = after[key]?.ToJsonString();
            if (key == "objective_args")
            {
                // Compare as sorted maps: the order the arguments were given in does not matter.
                x = Canonical(before[key]);
                y = Canonical(after[key]);
            }
            Compare(key, x, y);
        }
        return d;
    }

    private static string? Canonical(JsonNode? node) => node is JsonObject o
        ? "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{p.Value?.ToJsonString()}")) + "}"
        : node?.ToJsonString();

    private static TrainingDataShape DataShape(DataSplits data, string? datasetName) =>
        new(datasetName ?? data.Name, data.Train.Count, data.Validation.Count, data.SplitSeed);

    /// <summary>The state after an epoch as the store gets it: model.json's description and the trainer state.</summary>
    private TrainingCheckpoint EpochCheckpoint(Classifier model, TorchSharp.Modules.OptimizerHelper optimizer, TrainingOptions options, List<EpochRecord> history,
        TrainingDataShape data, bool startsRun)
    {
        var info = CheckpointInfo.FromSpec(model.Spec) with
        {
            Dataset = data.Dataset,
            Seed = options.Seed,
            SplitSeed = data.SplitSeed,
            Epoch = history[^1].Epoch,
            Training = JsonNode.Parse(Json.Serialize(options))!.AsObject(),
            Metrics = FinalMetrics(history),
            Provenance = Provenance.Capture(context.Threads),
        };
        var state = new TrainingState { EpochsDone = history[^1].Epoch, Options = JsonNode.Parse(Json.Serialize(options))!.AsObject(), History = [.. history], Data = data };
        return new TrainingCheckpoint(model, optimizer, info, state, startsRun);
    }

    private static Dictionary<string, double> FinalMetrics(List<EpochRecord> history)
    {
        var last = history[^1];
        return new Dictionary<string, double>
        {
            ["test_accuracy"] = last.TestAccuracy,
            ["val_accuracy"] = last.ValAccuracy,
            ["train_accuracy"] = last.TrainAccuracy,
            ["train_loss"] = last.TrainLoss,
            ["train_seconds"] = history.Sum(h => h.Seconds),
        };
    }

    public static TorchSharp.Modules.OptimizerHelper CreateOptimizer(Classifier model, TrainingOptions o) => o.Optimizer switch
    {
        "adam" => optim.Adam(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        "adamw" => optim.AdamW(model.parameters(), o.LearningRate, weight_decay: o.WeightDecay),
        "sgd" => optim.SGD(model.parameters(), o.LearningRate, momentum: o.Momentum, weight_decay: o.WeightDecay, nesterov: o.Momentum > 0),
        _ => throw new LabException($"unknown optimizer '{o.Optimizer}'; valid: {string.Join(", ", TrainingOptions.Optimizers)}"),
    };

    private static void CheckShapes(Classifier model, DataSplits data)
    {
        var s = model.Spec;
        if (s.Channels != data.Channels || s.Height != data.Height || s.Width != data.Width)
            throw new LabException($"model input shape {s.Channels}x{s.Height}x{s.Width} does not match the dataset's {data.Channels}x{data.Height}x{data.Width}");
        if (s.NumClasses != data.ClassNames.Count)
            throw new LabException($"model has {s.NumClasses} classes, the dataset {data.ClassNames.Count}");
    }

    /// <summary>Resident set size of this process in MB (VmRSS on Linux).</summary>
    public static double ResidentMegabytes()
    {
        using var p = Process.GetCurrentProcess();
        p.Refresh();
        return p.WorkingSet64 / (1024.0 * 1024.0);
    }

    /// <summary>Per-channel mean and std of a dataset's images (for the model's normalisation layer).</summary>
    public static (float[] Mean, float[] Std) ChannelStatistics(Dataset data)
    {
        using var scope = NewDisposeScope();
        var mean = data.Images.mean(new long[] { 0, 2, 3 }).cpu().data<float>().ToArray();
        var std = data.Images.std(new long[] { 0, 2, 3 }).cpu().data<float>().ToArray();
        return (mean, std.Select(v => Math.Max(v, 1e-3f)).ToArray());
    }
}
