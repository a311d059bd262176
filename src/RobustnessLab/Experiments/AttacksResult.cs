using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments;

/// <summary>
/// The one record of a robustness evaluation, whichever door ran it: what <c>lab robustness --out</c> writes and what the
/// <c>attacks:</c> stage puts in results.json (under <c>attacks</c>). The rows of one or more
/// <see cref="Evaluation.RobustnessReport"/>s (<c>attacks</c>, <c>worst_case</c>, <c>flags</c>) with a <c>model</c> column,
/// each model's clean accuracy on the attacked samples, and one <c>evaluations</c> row per report (data, criterion,
/// seed, zero-gradient fraction, minimal epsilon).
/// </summary>
public sealed record AttacksResult(
    IReadOnlyList<AttackRow> Attacks,
    IReadOnlyList<WorstCaseRow> WorstCase,
    IReadOnlyList<FlagRow> Flags,
    IReadOnlyDictionary<string, double> CleanAccuracy,
    IReadOnlyList<EvaluationRow> Evaluations)
{
    /// <summary>The rows of each model's <see cref="RobustnessReport"/> (in order) with its id: the stage's record.</summary>
    public static AttacksResult From(IEnumerable<(string Model, RobustnessReport Report)> reports)
    {
        var rows = new List<AttackRow>();
        var worst = new List<WorstCaseRow>();
        var flags = new List<FlagRow>();
        var clean = new Dictionary<string, double>(StringComparer.Ordinal);
        var evaluations = new List<EvaluationRow>();
        foreach (var (model, report) in reports)
        {
            rows.AddRange(report.Attacks.Select(r => AttackRow.From(model, report.Samples, r)));
            worst.AddRange(report.WorstCase.Select(w => new WorstCaseRow(model, w.Norm, w.Eps, w.RobustAccuracy, report.Samples, w.Attacks, w.Flips)));
            flags.AddRange(report.Flags.Where(f => !flags.Any(x => x.Model == model && x.Message == f)).Select(f => new FlagRow(model, f)));
            clean.TryAdd(model, report.CleanAccuracy);
            evaluations.Add(new EvaluationRow(model, report.Dataset, report.Samples, report.Criterion, report.Seed, report.CleanAccuracy,
                report.ZeroGradientFraction, report.MinimalEpsilon, report.Seconds, report.ResumedOutcomes));
        }
        return new AttacksResult(rows, worst, flags, clean, evaluations);
    }
}
