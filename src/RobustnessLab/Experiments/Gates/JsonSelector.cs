using System.Globalization;
using System.Text.Json.Nodes;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Gates;

/// <summary>
/// Finds a value in a results tree by a rule path: keys separated by dots, list indices <c>[0]</c>, and selectors
/// <c>[attack=fgsm,eps=0.1]</c> that pick the one entry of a list (or one value of a mapping) whose fields match.
/// Numbers match numerically (0.1 equals 0.10).
/// </summary>
public static class JsonSelector
{
    /// <summary>The value at the path, or an explanation of where the path stopped matching.</summary>
    public static (JsonNode? Value, string? Problem) Find(JsonNode? root, string path)
    {
        var current = root;
        string walked = "";
        foreach (var step in Steps(path))
        {
            if (step.StartsWith('['))
            {
                var inner = step[1..^1];
                if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    if (current is not JsonArray arr || index >= arr.Count) return (null, $"{Where(walked)} has no entry [{index}]");
                    current = arr[index];
                }
                else
                {
                    var conditions = ParseConditions(inner);
                    var candidates = current switch
                    {
                        JsonArray a => a.ToList(),
                        JsonObject o => o.Select(p => p.Value).ToList(),
                        _ => null,
                    };
                    if (candidates is null) return (null, $"{Where(walked)} is not a list, so [{inner}] cannot select from it");
                    var matches = candidates.Where(c => c is JsonObject o && conditions.All(k => Matches(o[k.Key], k.Value))).ToList();
                    if (matches.Count == 0) return (null, $"no entry of {Where(walked)} has {inner}");
                    if (matches.Count > 1) return (null, $"{matches.Count} entries of {Where(walked)} have {inner}; add a key to the selector to pick one");
                    current = matches[0];
                }
                walked += step;
            }
            else
            {
                if (current is not JsonObject o || !o.ContainsKey(step))
                {
                    var keys = current is JsonObject oo ? oo.Select(p => p.Key).ToList() : [];
                    return (null, $"{Where(walked)} has no key '{step}'{(keys.Count > 0 ? DidYouMean.Hint(step, keys) : "")}");
                }
                current = o[step];
                walked = walked.Length == 0 ? step : walked + "." + step;
            }
        }
        return (current, null);
    }

    private static string Where(string walked) => walked.Length == 0 ? "the results" : $"'{walked}'";

    /// <summary>Splits "a.b[k=v,x=1].c[0]" into "a", "b", "[k=v,x=1]", "c", "[0]" (dots inside brackets stay).</summary>
    public static List<string> Steps(string path)
    {
        var steps = new List<string>();
        int i = 0;
        while (i < path.Length)
        {
            if (path[i] == '.') { i++; continue; }
            if (path[i] == '[')
            {
                int close = path.IndexOf(']', i);
                if (close < 0) throw new FormatException($"'[' without ']' in '{path}'");
                steps.Add(path[i..(close + 1)]);
                i = close + 1;
                continue;
            }
            int start = i;
            while (i < path.Length && path[i] != '.' && path[i] != '[') i++;
            steps.Add(path[start..i]);
        }
        if (steps.Count == 0) throw new FormatException("empty path");
        return steps;
    }

    private static List<KeyValuePair<string, string>> ParseConditions(string inner)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var part in inner.Split(',', StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new FormatException($"selector '[{inner}]' needs key=value pairs separated by commas");
            list.Add(new(part[..eq].Trim(), part[(eq + 1)..].Trim()));
        }
        return list;
    }

    private static bool Matches(JsonNode? value, string wanted)
    {
        if (value is not JsonValue v) return wanted == "null" && value is null;
        if (v.TryGetValue<double>(out var d))
            return double.TryParse(wanted, NumberStyles.Float, CultureInfo.InvariantCulture, out var w) && Math.Abs(d - w) <= 1e-12 * Math.Max(1, Math.Abs(w));
        if (v.TryGetValue<bool>(out var b)) return wanted.Equals(b ? "true" : "false", StringComparison.OrdinalIgnoreCase);
        return v.TryGetValue<string>(out var s) && s == wanted.Trim('"', '\'');
    }
}
