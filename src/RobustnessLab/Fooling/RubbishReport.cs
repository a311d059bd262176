namespace RobustnessLab.Fooling;

/// <summary>The rubbish-class measurement (see <see cref="RubbishClass"/>).</summary>
public sealed record RubbishReport
{
    public required int Samples { get; init; }
    public required double Threshold { get; init; }
    public required string Noise { get; init; }
    public required bool Clipped { get; init; }
    /// <summary>Share of noise inputs whose top class has probability >= <see cref="Threshold"/>.</summary>
    public required double ShareConfident { get; init; }
    /// <summary>Mean top-class probability over all noise inputs.</summary>
    public required double MeanConfidence { get; init; }
    /// <summary>Mean top-class probability over the confidently labelled ones (NaN when none).</summary>
    public required double MeanConfidenceOfConfident { get; init; }
    /// <summary>How many confidently labelled inputs went to each class.</summary>
    public required IReadOnlyDictionary<string, int> ConfidentPerClass { get; init; }
}
