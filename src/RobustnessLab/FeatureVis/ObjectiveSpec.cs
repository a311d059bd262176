using System.Globalization;
using RobustnessLab.Core;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Objectives from text, for the command line: terms joined by + and -, each optionally "k*":
/// logit:CLASS, logp:CLASS, neuron:LAYER:N, channel:LAYER:N, dream:LAYER, diversity:LAYER, tv, l2.
/// CLASS is a class name or index. Example: "logit:dumbbell - 0.5*logit:barbell".
/// </summary>
public static class ObjectiveSpec
{
    public static Objective Parse(string text, IReadOnlyList<string> classNames)
    {
        if (string.IsNullOrWhiteSpace(text)) throw new LabException("empty objective");
        Objective? total = null;
        int sign = 1;
        foreach (var raw in Tokens(text))
        {
            if (raw == "+") { sign = 1; continue; }
            if (raw == "-") { sign = -1; continue; }
            double k = 1;
            var term = raw;
            int star = term.IndexOf('*', StringComparison.Ordinal);
            if (star > 0)
            {
                if (!double.TryParse(term[..star], NumberStyles.Float, CultureInfo.InvariantCulture, out k))
                    throw new LabException($"objective term '{raw}': '{term[..star]}' is not a number");
                term = term[(star + 1)..];
            }
            var o = Term(term, classNames);
            if (k != 1) o = k * o;
            total = total is null ? (sign < 0 ? -o : o) : sign < 0 ? total - o : total + o;
            sign = 1;
        }
        return total ?? throw new LabException($"objective '{text}' has no terms");
    }

    private static IEnumerable<string> Tokens(string text)
    {
        // Split on + and - that stand alone (surrounded by spaces); names like "net.3" or "t-shirt" keep their dashes.
        foreach (var part in text.Split(' ', StringSplitOptions.RemoveEmptyEntries)) yield return part;
    }

    private static Objective Term(string term, IReadOnlyList<string> classNames)
    {
        var p = term.Split(':');
        int Int(string s, string what) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new LabException($"objective '{term}': {what} '{s}' is not an integer");
        switch (p[0].ToLowerInvariant())
        {
            case "logit" when p.Length == 2: { var c = Class(p[1], classNames); return Objectives.ClassLogit(c, classNames[c]); }
            case "logp" when p.Length == 2: { var c = Class(p[1], classNames); return Objectives.ClassLogProbability(c, classNames[c]); }
            case "neuron" when p.Length == 3: return Objectives.Neuron(p[1], Int(p[2], "unit"));
            case "channel" when p.Length == 3: return Objectives.Channel(p[1], Int(p[2], "channel"));
            case "dream" when p.Length == 2: return Objectives.LayerL2(p[1]);
            case "diversity" when p.Length == 2: return Objectives.Diversity(p[1]);
            case "tv" when p.Length == 1: return Objectives.TotalVariation();
            case "l2" when p.Length == 1: return Objectives.L2();
            default:
                throw new LabException($"cannot read objective term '{term}'; use logit:CLASS, logp:CLASS, neuron:LAYER:N, channel:LAYER:N, dream:LAYER, diversity:LAYER, tv or l2");
        }
    }

    /// <summary>A class by name (case-insensitive) or index; the error lists the valid names.</summary>
    public static int Class(string nameOrIndex, IReadOnlyList<string> classNames)
    {
        for (int i = 0; i < classNames.Count; i++)
            if (string.Equals(classNames[i], nameOrIndex, StringComparison.OrdinalIgnoreCase)) return i;
        if (int.TryParse(nameOrIndex, NumberStyles.Integer, CultureInfo.InvariantCulture, out var idx) && idx >= 0 && idx < classNames.Count) return idx;
        throw new LabException($"unknown class '{nameOrIndex}'; valid: {string.Join(", ", classNames)}");
    }
}
