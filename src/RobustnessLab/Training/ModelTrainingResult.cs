using RobustnessLab.Models;

namespace RobustnessLab.Training;

/// <summary>
/// What training a model produced, as plain data: the model it made (spec with its normalisation, parameter count),
/// the data and options it was trained with, and the trainer's log, metrics and warnings.
/// </summary>
public sealed record ModelTrainingResult
{
    public required ModelSpec Spec { get; init; }
    public required long Parameters { get; init; }
    public required string Dataset { get; init; }
    public required ModelTrainingOptions Options { get; init; }
    public required TrainingResult Training { get; init; }
}
