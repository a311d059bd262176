namespace RobustnessLab.Training;

/// <summary>
/// The data a model was trained on, as far as resuming must match it: the dataset, its row counts and the seed that
/// split it (null for hand-built splits and checkpoints written before it was recorded).
/// </summary>
public sealed record TrainingDataShape(string Dataset, int TrainRows, int ValidationRows, int? SplitSeed = null);
