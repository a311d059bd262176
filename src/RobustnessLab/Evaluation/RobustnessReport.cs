namespace RobustnessLab.Evaluation;

/// <summary>
/// The result of <see cref="RobustnessEvaluation.Run"/>, in the JSON schema of `lab robustness --out`:
/// clean_accuracy, attacks[], worst_case[], flags[], plus what was run. No tensors.
/// </summary>
public sealed record RobustnessReport
{
    public string? Model { get; init; }
    public required string Dataset { get; init; }
    public required int Samples { get; init; }
    public required string Criterion { get; init; }
    public required int Seed { get; init; }
    public required double CleanAccuracy { get; init; }
    public required IReadOnlyList<AttackRecord> Attacks { get; init; }
    public required IReadOnlyList<WorstCaseRecord> WorstCase { get; init; }
    public required IReadOnlyList<string> Flags { get; init; }
    /// <summary>Fraction of samples whose loss gradient with respect to the input is exactly zero.</summary>
    public required double ZeroGradientFraction { get; init; }
    public MinimalEpsilonReport? MinimalEpsilon { get; init; }
    public required double Seconds { get; init; }

    /// <summary>(Attack, batch) outcomes read from an <see cref="EvaluationCheckpoint"/> instead of run (their time is in the attack rows, not in <see cref="Seconds"/>).</summary>
    public int ResumedOutcomes { get; init; }
}
