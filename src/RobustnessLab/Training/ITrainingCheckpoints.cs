using RobustnessLab.Models;
using TorchSharp.Modules;

namespace RobustnessLab.Training;

/// <summary>
/// Where a training run keeps a checkpoint after every finished epoch, and finds the one to continue from. The trainer
/// measures and never touches files: the caller hands it a store (<see cref="TrainingCheckpointFolder"/> for
/// <c>lab train</c> and the model cache; none when no checkpoint is wanted).
/// </summary>
public interface ITrainingCheckpoints
{
    /// <summary>Where the checkpoints go, as messages name it (a folder path).</summary>
    string Location { get; }

    /// <summary>The stored run to continue, or null to train from scratch.</summary>
    SavedTraining? Resumable();

    /// <summary>Copies the stored weights and optimizer state of <see cref="Resumable"/> into a fresh model and optimizer.</summary>
    void Restore(Classifier model, OptimizerHelper optimizer);

    /// <summary>Stores the state after a finished epoch, replacing the previous checkpoint whole or not at all.</summary>
    void Save(TrainingCheckpoint checkpoint);

    /// <summary>The epoch of the checkpoint stored now (null: none).</summary>
    int? StoredEpoch();
}
