using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments;

/// <summary>One row of <c>attacks</c> in results.json: an <see cref="AttackRecord"/> with the model it attacked.</summary>
public sealed record AttackRow
{
    public required string Model { get; init; }
    public required string Attack { get; init; }
    public required string Norm { get; init; }
    public required double Eps { get; init; }
    public required bool Targeted { get; init; }
    public required double RobustAccuracy { get; init; }
    public required double SuccessRateCorrect { get; init; }
    public required double SuccessRateAll { get; init; }
    public required double MeanAdvConfidence { get; init; }
    public required double MaxLinf { get; init; }
    public required double MeanL2 { get; init; }
    public required double MeanL0 { get; init; }
    public required double Seconds { get; init; }
    public double? GradientEvals { get; init; }
    public double? Queries { get; init; }
    public double? MedianMinimalNorm { get; init; }
    public required int Samples { get; init; }

    public static AttackRow From(string model, int samples, AttackRecord r) => new()
    {
        Model = model,
        Attack = r.Attack,
        Norm = r.Norm,
        Eps = r.Eps,
        Targeted = r.Targeted,
        RobustAccuracy = r.RobustAccuracy,
        SuccessRateCorrect = r.SuccessRateCorrect,
        SuccessRateAll = r.SuccessRateAll,
        MeanAdvConfidence = r.MeanAdvConfidence,
        MaxLinf = r.MaxLinf,
        MeanL2 = r.MeanL2,
        MeanL0 = r.MeanL0,
        Seconds = r.Seconds,
        GradientEvals = r.GradientEvals,
        Queries = r.Queries,
        MedianMinimalNorm = r.MedianMinimalNorm,
        Samples = samples,
    };
}
