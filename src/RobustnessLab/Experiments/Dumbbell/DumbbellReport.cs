namespace RobustnessLab.Experiments.Dumbbell;

/// <summary>Everything the dumbbell experiment measured (written as dumbbell.json).</summary>
public sealed record DumbbellReport
{
    public required DumbbellOptions Options { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required double Chance { get; init; }
    public required DumbbellModelReport Biased { get; init; }
    public required DumbbellModelReport Debiased { get; init; }
    public required double ArmDetectorAccuracy { get; init; }
    public required IReadOnlyList<DumbbellTarget> Targets { get; init; }
    public required IReadOnlyDictionary<string, string> Files { get; init; }
    public required double Seconds { get; init; }
}
