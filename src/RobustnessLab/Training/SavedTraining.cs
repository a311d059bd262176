using RobustnessLab.Models;

namespace RobustnessLab.Training;

/// <summary>A stored run that can be continued: its model description (model.json) and trainer state.</summary>
public sealed record SavedTraining(CheckpointInfo Info, TrainingState State);
