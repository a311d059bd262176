using System.Text;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>
/// Training checkpoints in a checkpoint folder (<see cref="Checkpoint"/>: model.safetensors and model.json), with the
/// optimizer state, the trainer state and the training log beside them; each epoch's folder is swapped in whole. With
/// <paramref name="resume"/> a run stored there is continued; without, a new run replaces it at its first epoch.
/// </summary>
public sealed class TrainingCheckpointFolder(string directory, bool resume = false) : ITrainingCheckpoints
{
    public const string OptimizerFile = "optimizer.bin";
    public const string StateFile = "trainer-state.json";
    public const string LogFile = "train-log.csv";

    private SavedTraining? saved;
    private bool read;

    public string Location { get; } = directory;

    public SavedTraining? Resumable()
    {
        if (read) return saved;
        read = true;
        if (resume && Checkpoint.Exists(Location) && File.Exists(Path.Combine(Location, StateFile)))
            saved = new SavedTraining(Checkpoint.ReadInfo(Location), Json.ReadFile<TrainingState>(Path.Combine(Location, StateFile)));
        return saved;
    }

    public void Restore(Classifier model, OptimizerHelper optimizer)
    {
        var (stored, _) = Checkpoint.Load(Location, model.Device);
        using (stored)
        using (no_grad())
        {
            var src = stored.state_dict();
            foreach (var (name, t) in model.state_dict()) t.copy_(src[name]);
        }
        var optimizerPath = Path.Combine(Location, OptimizerFile);
        try { optimizer.load_state_dict(optimizerPath); }
        catch (Exception e) when (e is EndOfStreamException or IOException or ArgumentException or InvalidOperationException or FormatException)
        {
            throw new LabException($"{optimizerPath}: truncated or corrupt optimizer state ({e.GetType().Name}); cannot resume: pass --force to train from scratch", e);
        }
    }

    public void Save(TrainingCheckpoint checkpoint) =>
        Checkpoint.Save(Location, checkpoint.Model, checkpoint.Info, staging =>
        {
            checkpoint.Optimizer.save_state_dict(Path.Combine(staging, OptimizerFile));
            File.WriteAllText(Path.Combine(staging, StateFile), Json.Serialize(checkpoint.State) + "\n");
            var csv = new StringBuilder(EpochRecord.CsvHeader).Append('\n');
            foreach (var r in checkpoint.State.History) csv.Append(r.ToCsv()).Append('\n');
            File.WriteAllText(Path.Combine(staging, LogFile), csv.ToString());
        }, keepOtherFiles: !checkpoint.StartsRun);

    public int? StoredEpoch() => Checkpoint.Exists(Location) ? Checkpoint.ReadInfo(Location).Epoch : null;
}
