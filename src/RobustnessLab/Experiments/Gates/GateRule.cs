using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Gates;

/// <summary>
/// One regression rule over a run's stage results:
/// <c>PATH OP NUMBER</c> (OP one of &gt;= &lt;= &gt; &lt; == !=), or <c>PATH within TOL of NUMBER</c>, or
/// <c>PATH within TOL of baseline</c> (the same path in a frozen baseline results.json).
/// PATH starts at a stage name: <c>eval.standard.accuracy</c>, <c>attacks[attack=fgsm,eps=0.1].success_rate_correct</c>.
/// </summary>
public sealed partial record GateRule(string Text, string Path, string Operator, double? Threshold, double? Tolerance, bool AgainstBaseline, string Where)
{
    public static GateRule Parse(string text, string where)
    {
        var t = text.Trim();
        var m = WithinPattern().Match(t);
        if (m.Success)
        {
            var tol = Num(m.Groups["tol"].Value, t, where);
            if (tol < 0) throw new LabUsageException($"{where}: rule '{t}': the tolerance must be >= 0");
            var of = m.Groups["of"].Value;
            bool baseline = of.Length == 0 || of.Equals("baseline", StringComparison.OrdinalIgnoreCase) || of.Equals("the baseline", StringComparison.OrdinalIgnoreCase);
            return new GateRule(t, CheckPath(m.Groups["path"].Value, t, where), "within", baseline ? null : Num(of, t, where), tol, baseline, where);
        }
        m = ComparePattern().Match(t);
        if (m.Success)
            return new GateRule(t, CheckPath(m.Groups["path"].Value, t, where), m.Groups["op"].Value, Num(m.Groups["value"].Value, t, where), null, false, where);
        throw new LabUsageException($"{where}: cannot read rule '{t}'; write 'PATH >= 0.85' (or <=, >, <, ==, !=) or 'PATH within 0.03 of baseline' (or 'of 0.91')");
    }

    /// <summary>Checks the rule on one point's stage results (and the matching baseline point, for "within ... of baseline").</summary>
    public GateOutcome Evaluate(JsonNode? stages, JsonNode? baselineStages, string point)
    {
        var (value, problem) = JsonSelector.Find(stages, Path);
        if (problem is not null) return new GateOutcome(this, point, null, Expected(null), false, problem);
        if (value is not JsonValue v || !v.TryGetValue<double>(out var actual))
            return new GateOutcome(this, point, null, Expected(null), false, $"'{Path}' is {(value is null ? "null" : value.ToJsonString())}, not a number");
        double? reference = Threshold;
        if (AgainstBaseline)
        {
            if (baselineStages is null) return new GateOutcome(this, point, actual, "baseline", false, "the rule compares with a baseline, but no baseline results were given (set 'results:' in the rules file)");
            var (b, bp) = JsonSelector.Find(baselineStages, Path);
            if (bp is not null) return new GateOutcome(this, point, actual, "baseline", false, "in the baseline: " + bp);
            if (b is not JsonValue bv || !bv.TryGetValue<double>(out var bd)) return new GateOutcome(this, point, actual, "baseline", false, $"the baseline's '{Path}' is not a number");
            reference = bd;
        }
        bool pass = Operator switch
        {
            ">=" => actual >= reference,
            "<=" => actual <= reference,
            ">" => actual > reference,
            "<" => actual < reference,
            "==" => Math.Abs(actual - reference!.Value) <= 1e-12 * Math.Max(1, Math.Abs(reference.Value)),
            "!=" => Math.Abs(actual - reference!.Value) > 1e-12 * Math.Max(1, Math.Abs(reference.Value)),
            "within" => Math.Abs(actual - reference!.Value) <= Tolerance!.Value + 1e-12,
            _ => false,
        };
        return new GateOutcome(this, point, actual, Expected(reference), pass, pass ? null : $"{F(actual)} is not {Expected(reference)}");
    }

    private string Expected(double? reference) => Operator == "within"
        ? $"{(reference is { } r ? F(r) : "baseline")} ± {F(Tolerance!.Value)}"
        : $"{Operator} {F(Threshold!.Value)}";

    private static string CheckPath(string path, string rule, string where)
    {
        try { JsonSelector.Steps(path); }
        catch (FormatException e) { throw new LabUsageException($"{where}: rule '{rule}': {e.Message}"); }
        return path;
    }

    private static double Num(string s, string rule, string where) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v)
            ? v : throw new LabUsageException($"{where}: rule '{rule}': '{s}' is not a number");

    private static string F(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);

    [GeneratedRegex(@"^(?<path>\S+)\s+within\s+(?<tol>\S+)(\s+of\s+(?<of>the\s+baseline|\S+))?$", RegexOptions.IgnoreCase)]
    private static partial Regex WithinPattern();

    [GeneratedRegex(@"^(?<path>\S+?)\s*(?<op>>=|<=|==|!=|>|<)\s*(?<value>\S+)$")]
    private static partial Regex ComparePattern();
}
