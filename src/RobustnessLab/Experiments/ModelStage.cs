using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Training;

namespace RobustnessLab.Experiments;

/// <summary>
/// The first step of every run: train each model of <c>models:</c> (through the <see cref="ModelCache"/>) or load its
/// checkpoint. Its result lists the models; its view shows their accuracy and training curves.
/// </summary>
public sealed class ModelStage
{
    public const string Name = "models";

    /// <summary>Checks that the models can be made in this build before anything is written.</summary>
    public static void Preflight(ExperimentConfig config)
    {
        foreach (var (id, m) in config.Models)
        {
            if (m.IsCheckpoint)
            {
                if (!Checkpoint.Exists(m.Checkpoint!))
                    throw new LabException($"models.{id}.checkpoint: '{m.Checkpoint}' is not a checkpoint folder (train one with: lab train --out {m.Checkpoint})");
            }
            else if (!TrainingObjectives.Names.Contains(m.Objective ?? "standard"))
                throw new LabException($"models.{id}.objective: unknown training objective '{m.Objective}'; registered: {string.Join(", ", TrainingObjectives.Names)}");
        }
    }

    /// <summary>Trains or loads every model. The caller owns (and disposes) the returned models.</summary>
    public static (Dictionary<string, TrainedModel> Models, StageOutput Output, JsonObject Runtime) Prepare(
        ExperimentConfig config, DataSplits? data, LabContext lab, ModelCache cache, IProgress<StageProgress>? progress, CancellationToken cancel)
    {
        var models = new Dictionary<string, TrainedModel>(StringComparer.Ordinal);
        var runtime = new JsonObject();
        int done = 0, count = config.Models.Count;
        try
        {
            foreach (var (id, spec) in config.Models)
            {
                cancel.ThrowIfCancellationRequested();
                var started = DateTime.UtcNow;
                if (spec.IsCheckpoint)
                {
                    progress?.Report(new StageProgress((double)done / count, $"loading {id} from {spec.Checkpoint}"));
                    var (model, record) = LoadCheckpoint(id, spec.Checkpoint!, config.Dataset!, data!, lab);
                    models[id] = new TrainedModel(id, model, record);
                    runtime[id] = new JsonObject { ["status"] = "loaded", ["path"] = Path.GetFullPath(spec.Checkpoint!) };
                }
                else
                {
                    int d = done;
                    var trainProgress = new SyncProgress<TrainingProgress>(p => progress?.Report(new StageProgress(
                        (d + ((p.Epoch - 1) * (double)p.StepsPerEpoch + p.Step) / (p.Epochs * (double)p.StepsPerEpoch)) / count,
                        $"training {id}: epoch {p.Epoch}/{p.Epochs} {p.Phase}, loss {p.Loss:F3}, accuracy {p.Accuracy:P1}")));
                    progress?.Report(new StageProgress((double)done / count, $"model {id}"));
                    var (model, record, status) = cache.GetOrTrain(id, spec, config.Dataset!, data!, lab, trainProgress, cancel);
                    models[id] = new TrainedModel(id, model, record);
                    runtime[id] = new JsonObject
                    {
                        ["status"] = status,
                        ["path"] = cache.EntryDirectory(record.SpecHash),
                        ["seconds"] = Math.Round((DateTime.UtcNow - started).TotalSeconds, 3),
                    };
                }
                done++;
            }
        }
        catch
        {
            foreach (var m in models.Values) m.Model.Dispose();
            throw;
        }
        var records = models.ToDictionary(p => p.Key, p => p.Value.Record, StringComparer.Ordinal);
        var classes = models.ToDictionary(p => p.Key, p => p.Value.Model.NumClasses, StringComparer.Ordinal);
        return (models, StageOutput.From(records, View(records, classes)), runtime);
    }

    private static (Classifier, ModelRecord) LoadCheckpoint(string id, string dir, DatasetConfig dataset, DataSplits data, LabContext lab)
    {
        var (model, info) = Checkpoint.Load(dir, lab.Device);
        try
        {
            if (info.Dataset is not null && !string.Equals(info.Dataset, dataset.Name, StringComparison.OrdinalIgnoreCase))
                throw new LabException($"models.{id}: checkpoint '{dir}' was trained on '{info.Dataset}', but the run's dataset is '{dataset.Name}'");
            if (info.InputShape[0] != data.Channels || info.InputShape[1] != data.Height || info.InputShape[2] != data.Width || info.ClassNames.Count != data.ClassNames.Count)
                throw new LabException($"models.{id}: checkpoint '{dir}' takes {string.Join("x", info.InputShape)} inputs and {info.ClassNames.Count} classes; the dataset has {data.Channels}x{data.Height}x{data.Width} and {data.ClassNames.Count}");
            var hash = Checkpoint.Sha256(Path.Combine(dir, Checkpoint.WeightsFile))[..20];
            var record = new ModelRecord
            {
                Id = id,
                Source = "checkpoint",
                SpecHash = hash,
                Architecture = info.Architecture,
                Args = info.Args,
                Parameters = model.ParameterCount(),
                Dataset = info.Dataset,
                Objective = info.Objective,
                ObjectiveArgs = info.ObjectiveArgs,
                Epochs = info.Epoch,
                Checkpoint = dir,
                Metrics = info.Metrics.Where(m => m.Key != "train_seconds").ToDictionary(m => m.Key, m => m.Value),
            };
            return (model, record);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private static StageView View(IReadOnlyDictionary<string, ModelRecord> records, IReadOnlyDictionary<string, int> classes)
    {
        // A model left at chance by training makes every later stage meaningless: say so in red at the top.
        var flags = records.Values
            .Select(r => (r.Id, Line: r.Metrics.TryGetValue("test_accuracy", out var acc) ? Evaluation.SanityFlags.ChanceLevel(acc, classes[r.Id], "test accuracy") : null))
            .Where(f => f.Line is not null)
            .Select(f => new SanityFlag("error", f.Line!, f.Id))
            .ToList();
        var rows = records.Values.Select(r => (IReadOnlyList<JsonNode?>)
        [
            r.Id, r.Source, r.Architecture, r.Parameters, r.Objective, r.Epochs,
            r.Metrics.TryGetValue("test_accuracy", out var t) ? t : null,
            r.Metrics.TryGetValue("val_accuracy", out var v) ? v : null,
            r.SpecHash,
        ]).ToList();
        var curves = new List<CurveChart>();
        // One epoch is a point, not a curve: draw training curves only when some model has two or more epochs.
        var series = records.Values.Where(r => r.History.Count > 1)
            .Select(r => new CurveSeries(r.Id,
                r.History.Select(h => (double)h!["epoch"]!.GetValue<int>()).ToList(),
                r.History.Select(h => h!["test_accuracy"]!.GetValue<double>()).ToList()))
            .ToList();
        if (series.Count > 0)
            curves.Add(new CurveChart("Test accuracy during training", "epoch", "test accuracy", series, YPercent: true,
                Caption: "Test accuracy after each training epoch (on the run's test rows)."));
        return new StageView
        {
            Title = "Models",
            Summary = "Each model is trained from its spec (cached by a hash of the spec and data) or loaded from a checkpoint.",
            Tables = [new TableView("Models", ["model", "source", "architecture", "parameters", "objective", "epochs", "test accuracy", "val accuracy", "spec hash"], rows)],
            Curves = curves,
            Flags = flags,
        };
    }
}
