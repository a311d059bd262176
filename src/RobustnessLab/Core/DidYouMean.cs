namespace RobustnessLab.Core;

/// <summary>Suggests the closest valid name for a misspelt key (Damerau-Levenshtein distance, optimal string alignment).</summary>
public static class DidYouMean
{
    /// <summary>The best candidate within a distance that scales with the word's length, or null.</summary>
    public static string? Suggest(string given, IEnumerable<string> candidates)
    {
        string? best = null;
        int bestDistance = int.MaxValue;
        int limit = Math.Max(1, Math.Min(3, given.Length / 3));
        foreach (var c in candidates)
        {
            int d = Distance(given.ToLowerInvariant(), c.ToLowerInvariant());
            if (d < bestDistance || (d == bestDistance && best is not null && string.CompareOrdinal(c, best) < 0))
            {
                bestDistance = d;
                best = c;
            }
        }
        return bestDistance <= limit ? best : null;
    }

    /// <summary>" (did you mean 'x'?)" or "; valid: a, b, c" when nothing is close.</summary>
    public static string Hint(string given, IReadOnlyCollection<string> candidates)
    {
        var s = Suggest(given, candidates);
        return s is not null ? $"; did you mean '{s}'?" : candidates.Count == 0 ? "" : $"; valid: {string.Join(", ", candidates)}";
    }

    /// <summary>"; did you mean 'x'?; valid: a, b, c" (the suggestion only when one is close): the whole list, once.</summary>
    public static string HintAndList(string given, IReadOnlyCollection<string> candidates)
    {
        if (candidates.Count == 0) return "";
        var s = Suggest(given, candidates);
        return (s is null ? "" : $"; did you mean '{s}'?") + $"; valid: {string.Join(", ", candidates)}";
    }

    public static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (int i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (int j = 0; j <= b.Length; j++) d[0, j] = j;
        for (int i = 1; i <= a.Length; i++)
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}
