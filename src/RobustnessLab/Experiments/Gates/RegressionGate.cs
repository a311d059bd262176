using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments.Gates;

/// <summary>
/// A set of regression rules, usually a frozen baseline file in experiments/baselines/:
/// <code>
/// results: quickstart.results.json   # optional frozen results, for 'within TOL of baseline'
/// rules:
///   - eval.standard.accuracy >= 0.85
///   - attacks[attack=fgsm,eps=0.1].success_rate_correct >= 0.85
///   - eval.standard.accuracy within 0.03 of baseline
/// </code>
/// A results.json may also serve as the baseline directly, with the rules given on the command line.
/// </summary>
public sealed record RegressionGate(IReadOnlyList<GateRule> Rules, RunResults? Baseline, string Source)
{
    public static RegressionGate Load(string file, IReadOnlyList<string>? extraRules = null)
    {
        if (!File.Exists(file)) throw new LabException($"{file}: baseline file not found");
        var extra = (extraRules ?? []).Select((r, i) => GateRule.Parse(r, $"--rule {i + 1}")).ToList();
        var text = File.ReadAllText(file);
        if (LooksLikeResults(text))
        {
            if (extra.Count == 0) throw new LabException($"{file} is a results file: give the rules to check against it with --rule (e.g. --rule \"eval.standard.accuracy within 0.03 of baseline\")");
            return new RegressionGate(extra, RunResults.Read(file), file);
        }
        var tree = YamlConfigReader.Parse(text, file);
        if (tree is not ConfigMapping map) throw new LabException($"{tree.Position}: a baseline file is a mapping with 'rules:' (and optionally 'results:')");
        foreach (var key in map.Entries.Where(e => e.Key.Value is not ("rules" or "results" or "description")))
            throw new LabUsageException($"{key.Key.Position}: unknown key '{key.Key.Value}'{DidYouMean.Hint(key.Key.Value, ["rules", "results", "description"])}");
        var rules = new List<GateRule>();
        if (map.Get("rules") is ConfigSequence seq)
            foreach (var item in seq.Items)
            {
                if (item is not ConfigScalar s) throw new LabUsageException($"{item.Position}: a rule is one line of text, e.g. 'eval.standard.accuracy >= 0.85'");
                rules.Add(GateRule.Parse(s.Value, s.Position.ToString()));
            }
        else if (map.Get("rules") is { } other) throw new LabUsageException($"{other.Position}: 'rules' must be a list");
        rules.AddRange(extra);
        if (rules.Count == 0) throw new LabUsageException($"{file}: no rules");
        RunResults? baseline = null;
        if (map.Get("results") is ConfigScalar r && !r.IsNull)
        {
            var path = Path.IsPathRooted(r.Value) ? r.Value : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(file))!, r.Value);
            if (!File.Exists(path)) throw new LabException($"{r.Position}: baseline results '{r.Value}' not found (looked for {path})");
            baseline = RunResults.Read(path);
        }
        return new RegressionGate(rules, baseline, file);
    }

    /// <summary>Every rule on every point of the results.</summary>
    public IReadOnlyList<GateOutcome> Check(RunResults results)
    {
        var outcomes = new List<GateOutcome>();
        // Numbers of a run that did not finish are not results: an interrupted or failed run never passes a gate.
        if (results.Status != "complete")
        {
            var rule = new GateRule("run finished", "status", "==", null, null, false, "results");
            outcomes.Add(new GateOutcome(rule, "", null, "complete", false,
                $"the run is '{results.Status}'{(results.Error is { } err ? $" ({err})" : "")}, not complete: rerun it (lab run resumes where it stopped) before checking"));
        }
        if (results.Points.Count == 0)
        {
            if (outcomes.Count > 0) return outcomes;
            throw new LabException("the results hold no finished sweep point");
        }
        foreach (var rule in Rules)
            foreach (var point in results.Points)
            {
                var stages = ToObject(point.Stages);
                JsonObject? baseStages = null;
                if (Baseline is not null)
                {
                    var bp = Baseline.Points.FirstOrDefault(p => p.Index == point.Index) ?? (Baseline.Points.Count == 1 ? Baseline.Points[0] : null);
                    if (bp is not null) baseStages = ToObject(bp.Stages);
                }
                var label = results.Points.Count == 1 ? "" : $"{point.Index}: {point.Label}";
                outcomes.Add(rule.Evaluate(stages, baseStages, label));
            }
        return outcomes;
    }

    private static JsonObject ToObject(Dictionary<string, JsonNode?> stages) =>
        new(stages.Select(p => new KeyValuePair<string, JsonNode?>(p.Key, p.Value?.DeepClone())));

    private static bool LooksLikeResults(string text)
    {
        var t = text.TrimStart();
        if (!t.StartsWith('{')) return false;
        try { return JsonNode.Parse(t)?["format"]?.ToString() == RunResults.CurrentFormat; }
        catch (System.Text.Json.JsonException) { return false; }
    }
}
