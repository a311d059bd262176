namespace RobustnessLab.Training;

/// <summary>What a training run produced: its per-epoch log and final metrics, and warnings such as "stalled at chance".</summary>
public sealed record TrainingResult(IReadOnlyList<EpochRecord> History, IReadOnlyDictionary<string, double> Metrics, double Seconds, bool Resumed)
{
    /// <summary>One line each: the model ended at chance level (see <see cref="Evaluation.SanityFlags.ChanceLevel"/>).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];
}
