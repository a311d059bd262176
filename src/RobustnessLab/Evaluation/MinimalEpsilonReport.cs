namespace RobustnessLab.Evaluation;

/// <summary>
/// Smallest epsilon per initially-correct sample at which an attack succeeds: by bisection for fixed-epsilon
/// attacks, directly for minimisation attacks. Samples not broken within <see cref="MaxEps"/> count as above it;
/// quantiles that fall there are null.
/// </summary>
public sealed record MinimalEpsilonReport
{
    public required string Attack { get; init; }
    public required string Norm { get; init; }
    public required string Method { get; init; }
    public required double MaxEps { get; init; }
    public required int Samples { get; init; }
    public required int Found { get; init; }
    public double? Median { get; init; }
    public double? Mean { get; init; }
    /// <summary>10th, 25th, 50th, 75th, 90th percentiles (null above <see cref="MaxEps"/>).</summary>
    public required IReadOnlyList<double?> Quantiles { get; init; }
    /// <summary>Counts in equal bins over [0, MaxEps]; samples not broken are not in any bin.</summary>
    public required IReadOnlyList<int> Histogram { get; init; }
}
