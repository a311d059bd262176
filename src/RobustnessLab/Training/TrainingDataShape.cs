namespace RobustnessLab.Training;

/// <summary>The data a model was trained on, as far as resuming must match it: the dataset and its row counts.</summary>
public sealed record TrainingDataShape(string Dataset, int TrainRows, int ValidationRows);
