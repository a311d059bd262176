namespace RobustnessLab.Evaluation;

/// <summary>
/// One member of a worst-case ensemble (AutoAttack) at one epsilon, summed over batches, in the order the members ran:
/// the samples it ran on (those still robust when its turn came), how many of them it broke, and the robust
/// accuracy over all samples after its turn.
/// </summary>
public sealed record EnsembleStageRecord
{
    public required string Attack { get; init; }
    public required int Attacked { get; init; }
    public required int Broken { get; init; }
    public required double RobustAccuracyAfter { get; init; }
    public required double Seconds { get; init; }
    public long GradientEvals { get; init; }
    public long Queries { get; init; }
}
