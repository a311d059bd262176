using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments;

/// <summary>
/// What the <c>attacks:</c> stage writes to results.json: the <see cref="Evaluation.RobustnessReport"/> schema (<c>attacks</c> rows, <c>worst_case</c>,
/// <c>flags</c>) with a <c>model</c> column, plus each model's clean accuracy on the attacked samples.
/// </summary>
public sealed record AttacksResult(
    IReadOnlyList<AttackRow> Attacks,
    IReadOnlyList<WorstCaseRow> WorstCase,
    IReadOnlyList<FlagRow> Flags,
    IReadOnlyDictionary<string, double> CleanAccuracy)
{
    /// <summary>The rows of each model's <see cref="RobustnessReport"/> (in order) with its id: the stage's record.</summary>
    public static AttacksResult From(IEnumerable<(string Model, RobustnessReport Report)> reports)
    {
        var rows = new List<AttackRow>();
        var worst = new List<WorstCaseRow>();
        var flags = new List<FlagRow>();
        var clean = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var (model, report) in reports)
        {
            rows.AddRange(report.Attacks.Select(r => AttackRow.From(model, report.Samples, r)));
            worst.AddRange(report.WorstCase.Select(w => new WorstCaseRow(model, w.Norm, w.Eps, w.RobustAccuracy, report.Samples, w.Attacks, w.Flips)));
            flags.AddRange(report.Flags.Where(f => !flags.Any(x => x.Model == model && x.Message == f)).Select(f => new FlagRow(model, f)));
            clean.TryAdd(model, report.CleanAccuracy);
        }
        return new AttacksResult(rows, worst, flags, clean);
    }
}
