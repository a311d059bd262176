using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Models;
using RobustnessLab.Training;

namespace RobustnessLab.Experiments;

/// <summary>
/// Trained models keyed by a hash of everything that determines them (dataset, its options and, for a folder, what it
/// holds; architecture and arguments, trainer settings, seed), so editing an attack or a figure never retrains.
/// Training writes its per-epoch checkpoints into the entry, so a killed run resumes training at the last finished
/// epoch; the entry counts as done only once its marker file is written. A lock file keeps parallel shards from
/// training the same entry twice.
/// </summary>
public sealed class ModelCache(string directory)
{
    public const string EntryFile = "cache-entry.json";
    public const string KeyFormat = "robustnesslab.model-cache/1";

    public string Directory { get; } = Path.GetFullPath(directory);

    /// <summary>The cache key of a resolved training spec on a dataset.</summary>
    public static string Key(ModelConfig resolved, DatasetConfig dataset)
    {
        var key = new JsonObject
        {
            ["format"] = KeyFormat,
            ["dataset"] = dataset.Identity(),
            ["model"] = JsonNode.Parse(Json.Serialize(resolved)),
        };
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key.ToJsonString())))[..20];
    }

    public string EntryDirectory(string key) => Path.Combine(Directory, key);

    public bool Contains(string key) => File.Exists(Path.Combine(EntryDirectory(key), EntryFile));

    /// <summary>Loads the model of a spec from the cache, or trains it (resuming an interrupted training) and caches it.</summary>
    /// <returns>The model, its record, and "hit", "trained" or "resumed".</returns>
    public (Classifier Model, ModelRecord Record, string Status) GetOrTrain(string id, ModelConfig resolved, DatasetConfig dataset, DataSplits data,
        LabContext lab, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        var key = Key(resolved, dataset);
        var dir = EntryDirectory(key);
        if (TryLoad(id, key, lab) is { } hit) return (hit.Model, hit.Record, "hit");
        AtomicFile.EnsureWritableDirectory(Directory);
        using var _ = AcquireLock(Path.Combine(Directory, key + ".lock"), cancel);
        if (TryLoad(id, key, lab) is { } other) return (other.Model, other.Record, "hit"); // another shard finished it meanwhile

        // The entry's folder is the checkpoint store: a killed training resumes at its last finished epoch.
        var (model, result) = new ModelTraining(lab).Run(resolved.ToModelTrainingOptions(), data, dataset.Name,
            new TrainingCheckpointFolder(dir, resume: true), progress, cancel);
        try
        {
            var record = ModelRecord.Trained(id, key, result);
            Json.WriteFile(Path.Combine(dir, EntryFile), new CacheEntry { Key = key, Spec = JsonNode.Parse(Json.Serialize(resolved))!.AsObject(), Record = record with { Id = "" } });
            return (model, record, result.Training.Resumed ? "resumed" : "trained");
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    private (Classifier Model, ModelRecord Record)? TryLoad(string id, string key, LabContext lab)
    {
        var dir = EntryDirectory(key);
        var entryPath = Path.Combine(dir, EntryFile);
        if (!File.Exists(entryPath)) return null;
        var entry = Json.ReadFile<CacheEntry>(entryPath);
        if (entry.Key != key) throw new LabException($"{entryPath}: cache entry holds key {entry.Key}, expected {key}; delete the folder");
        var (model, _) = Checkpoint.Load(dir, lab.Device);
        return (model, entry.Record with { Id = id });
    }

    private static FileStream AcquireLock(string path, CancellationToken cancel)
    {
        // An exclusive open is an advisory lock on Unix (flock) and a share lock on Windows; the holder's death releases it.
        while (true)
        {
            cancel.ThrowIfCancellationRequested();
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (IOException)
            {
                Thread.Sleep(500);
            }
        }
    }

    private sealed record CacheEntry
    {
        public string Key { get; init; } = "";
        public JsonObject Spec { get; init; } = new();
        public ModelRecord Record { get; init; } = new();
    }
}
