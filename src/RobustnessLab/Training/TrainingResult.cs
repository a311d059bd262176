namespace RobustnessLab.Training;

/// <summary>What a training run produced: its per-epoch log and final metrics.</summary>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, IReadOnlyDictionary<string, double> Metrics, double Seconds, bool Resumed);
