using RobustnessLab.Models;
using TorchSharp.Modules;

namespace RobustnessLab.Training;

/// <summary>
/// The state after a finished epoch, handed by the trainer to its <see cref="ITrainingCheckpoints"/>: the model and
/// optimizer (live, owned by the trainer: store them before returning), the model's description for model.json and the
/// trainer's state. <see cref="StartsRun"/> marks the first checkpoint of a run trained from scratch: nothing stored
/// earlier (another model's files) may stay beside it.
/// </summary>
public sealed record TrainingCheckpoint(Classifier Model, OptimizerHelper Optimizer, CheckpointInfo Info, TrainingState State, bool StartsRun);
