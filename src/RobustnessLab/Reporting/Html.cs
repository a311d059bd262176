using System.Globalization;
using System.Text;

namespace RobustnessLab.Reporting;

/// <summary>Escaping for HTML text and attributes (every string from a config, a dataset or a result goes through it).</summary>
public static class Html
{
    public static string Escape(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var sb = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                default:
                    if (char.IsControl(c) && c is not '\n' and not '\t' and not '\r') sb.Append("&#xFFFD;");
                    else sb.Append(c);
                    break;
            }
        }
        return sb.ToString();
    }

    /// <summary>A relative file path as an href/src value: each segment percent-encoded, then attribute-escaped.</summary>
    public static string Url(string relativePath) =>
        Escape(string.Join("/", relativePath.Replace('\\', '/').Split('/').Select(Uri.EscapeDataString)));

    /// <summary>An id safe for anchors built from arbitrary text.</summary>
    public static string Id(string text)
    {
        var sb = new StringBuilder();
        foreach (char c in text.ToLowerInvariant())
            sb.Append(char.IsAsciiLetterOrDigit(c) ? c : '-');
        return sb.ToString().Trim('-');
    }

    /// <summary>A number for a table cell: integers as is, others with 4 significant decimals.</summary>
    public static string Number(double v)
    {
        if (double.IsNaN(v)) return "NaN";
        if (double.IsInfinity(v)) return v > 0 ? "∞" : "−∞";
        if (v == Math.Floor(v) && Math.Abs(v) < 1e15) return v.ToString("0", CultureInfo.InvariantCulture);
        double a = Math.Abs(v);
        if (a >= 1e5 || a < 1e-4) return v.ToString("0.###e+0", CultureInfo.InvariantCulture);
        if (a >= 100) return v.ToString("0.##", CultureInfo.InvariantCulture);
        return v.ToString("0.####", CultureInfo.InvariantCulture);
    }

    public static string Format(double value, string format) => format switch
    {
        "percent" => double.IsFinite(value) ? (value * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%" : Number(value),
        "integer" => value.ToString("N0", CultureInfo.InvariantCulture),
        _ => Number(value),
    };

    public static string Invariant(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
}
