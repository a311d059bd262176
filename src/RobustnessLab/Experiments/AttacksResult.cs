namespace RobustnessLab.Experiments;

/// <summary>
/// What the <c>attacks:</c> stage writes to results.json: the issue-3 schema (<c>attacks</c> rows, <c>worst_case</c>,
/// <c>flags</c>) with a <c>model</c> column, plus each model's clean accuracy on the attacked samples.
/// </summary>
public sealed record AttacksResult(
    IReadOnlyList<AttackRow> Attacks,
    IReadOnlyList<WorstCaseRow> WorstCase,
    IReadOnlyList<FlagRow> Flags,
    IReadOnlyDictionary<string, double> CleanAccuracy);
