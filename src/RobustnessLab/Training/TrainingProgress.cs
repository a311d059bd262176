namespace RobustnessLab.Training;

/// <summary>Progress of a training run, reported through IProgress (the CLI draws it; tests ignore it).</summary>
public sealed record TrainingProgress(
    int Epoch, int Epochs, int Step, int StepsPerEpoch, double Loss, double Accuracy, double ImagesPerSecond, double LearningRate, string Phase);
