namespace RobustnessLab.Experiments;

/// <summary>
/// What the <c>paper:</c> stage writes to results.json: each published figure beside the lab's value, with the
/// difference lab - paper (null where the lab's value is missing; then <see cref="Problem"/> says why).
/// </summary>
public sealed record PaperComparison
{
    public required string Figure { get; init; }
    public string? Source { get; init; }
    public required double Paper { get; init; }
    public double? Lab { get; init; }
    public double? Difference { get; init; }
    public required string LabKey { get; init; }
    public required string Format { get; init; }
    public string? Note { get; init; }
    public string? Problem { get; init; }
}
