using System.Globalization;
using System.Text;

namespace RobustnessLab.Experiments.Config;

/// <summary>Key paths as researchers type them: <c>models.standard.epochs</c>, <c>attacks[0].eps</c>.</summary>
public static class ConfigPath
{
    public static IReadOnlyList<ConfigPathSegment> Parse(string path)
    {
        var segments = new List<ConfigPathSegment>();
        int i = 0;
        if (string.IsNullOrWhiteSpace(path)) throw new FormatException("empty key path");
        while (i < path.Length)
        {
            if (path[i] == '[')
            {
                int close = path.IndexOf(']', i);
                if (close < 0) throw new FormatException($"'{path}': '[' without ']'");
                var inner = path[(i + 1)..close];
                if (!int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                    throw new FormatException($"'{path}': list index '{inner}' is not a non-negative integer");
                segments.Add(new ConfigPathSegment(null, index));
                i = close + 1;
                if (i < path.Length && path[i] == '.') i++;
                continue;
            }
            int start = i;
            while (i < path.Length && path[i] != '.' && path[i] != '[') i++;
            var key = path[start..i];
            if (key.Length == 0) throw new FormatException($"'{path}': empty key");
            segments.Add(new ConfigPathSegment(key, 0));
            if (i < path.Length && path[i] == '.')
            {
                i++;
                if (i == path.Length) throw new FormatException($"'{path}': ends with '.'");
            }
        }
        return segments;
    }

    public static string Format(IEnumerable<ConfigPathSegment> segments)
    {
        var sb = new StringBuilder();
        foreach (var s in segments)
        {
            if (s.IsIndex) sb.Append('[').Append(s.Index.ToString(CultureInfo.InvariantCulture)).Append(']');
            else
            {
                if (sb.Length > 0) sb.Append('.');
                sb.Append(s.Key);
            }
        }
        return sb.ToString();
    }

    /// <summary>Joins a parent path and a key ("a" + "b" = "a.b"; "" + "b" = "b").</summary>
    public static string Child(string parent, string key) => parent.Length == 0 ? key : parent + "." + key;

    public static string Item(string parent, int index) => $"{parent}[{index.ToString(CultureInfo.InvariantCulture)}]";
}
