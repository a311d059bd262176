using System.Text;
using System.Text.Json.Nodes;

namespace RobustnessLab.Reporting;

/// <summary>
/// Renders any result JSON readably, so a new stage shows up in the gallery without gallery changes: flat objects as
/// key/value lists, lists of flat records as sortable tables, matrices as grids, nesting as collapsible sections.
/// </summary>
public static class JsonHtml
{
    public static string Render(JsonNode? node, int depth = 0)
    {
        var sb = new StringBuilder();
        Write(sb, node, depth);
        return sb.ToString();
    }

    private static void Write(StringBuilder sb, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
            case JsonValue:
                sb.Append("<span class=\"mono\">").Append(Cell(node)).Append("</span>");
                return;
            case JsonArray arr:
                WriteArray(sb, arr, depth);
                return;
            case JsonObject obj:
                WriteObject(sb, obj, depth);
                return;
        }
    }

    private static void WriteObject(StringBuilder sb, JsonObject obj, int depth)
    {
        var scalars = obj.Where(p => p.Value is null or JsonValue || IsShortScalarList(p.Value)).ToList();
        if (scalars.Count > 0)
        {
            sb.Append("<dl class=\"kv\">");
            foreach (var (k, v) in scalars)
                sb.Append("<dt>").Append(Html.Escape(k)).Append("</dt><dd class=\"mono\">").Append(v is JsonArray a ? ScalarList(a) : Cell(v)).Append("</dd>");
            sb.Append("</dl>");
        }
        foreach (var (k, v) in obj.Where(p => !(p.Value is null or JsonValue || IsShortScalarList(p.Value))))
        {
            if (depth >= 6) { sb.Append("<p class=\"mono\">").Append(Html.Escape(k)).Append(": …</p>"); continue; }
            sb.Append("<details").Append(depth == 0 ? " open" : "").Append("><summary>").Append(Html.Escape(k)).Append("</summary>");
            Write(sb, v, depth + 1);
            sb.Append("</details>");
        }
    }

    private static void WriteArray(StringBuilder sb, JsonArray arr, int depth)
    {
        if (arr.Count == 0) { sb.Append("<span class=\"mono\">[]</span>"); return; }
        if (arr.All(x => x is null or JsonValue)) { sb.Append("<span class=\"mono\">").Append(ScalarList(arr)).Append("</span>"); return; }
        if (arr.All(x => x is JsonArray row && row.All(c => c is null or JsonValue)))
        {
            // A matrix (e.g. a confusion matrix [true, predicted]).
            sb.Append("<div class=\"table-wrap\"><table><tbody>");
            foreach (var row in arr.Cast<JsonArray>())
            {
                sb.Append("<tr>");
                foreach (var c in row) sb.Append(TableCell(c));
                sb.Append("</tr>");
            }
            sb.Append("</tbody></table></div>");
            return;
        }
        if (arr.All(x => x is JsonObject o && o.All(p => p.Value is null or JsonValue || IsShortScalarList(p.Value))))
        {
            var columns = arr.Cast<JsonObject>().SelectMany(o => o.Select(p => p.Key)).Distinct().ToList();
            sb.Append("<div class=\"table-wrap\"><table class=\"sortable\"><thead><tr>");
            foreach (var c in columns) sb.Append("<th scope=\"col\">").Append(Html.Escape(c)).Append("</th>");
            sb.Append("</tr></thead><tbody>");
            foreach (var o in arr.Cast<JsonObject>())
            {
                sb.Append("<tr>");
                foreach (var c in columns)
                {
                    var v = o[c];
                    if (v is JsonArray list) sb.Append("<td class=\"mono\">").Append(ScalarList(list)).Append("</td>");
                    else sb.Append(TableCell(v));
                }
                sb.Append("</tr>");
            }
            sb.Append("</tbody></table></div>");
            return;
        }
        sb.Append("<ol start=\"0\">");
        foreach (var item in arr)
        {
            sb.Append("<li>");
            Write(sb, item, depth + 1);
            sb.Append("</li>");
        }
        sb.Append("</ol>");
    }

    private static bool IsShortScalarList(JsonNode? node) => node is JsonArray a && a.Count <= 16 && a.All(x => x is null or JsonValue);

    private static string ScalarList(JsonArray a)
    {
        var items = a.Take(50).Select(Cell);
        return "[" + string.Join(", ", items) + (a.Count > 50 ? $", … ({a.Count - 50} more)" : "") + "]";
    }

    /// <summary>A table cell with a numeric sort key where the value is a number.</summary>
    public static string TableCell(JsonNode? v)
    {
        if (v is null) return "<td class=\"null\" data-sort=\"\">—</td>";
        if (v is JsonValue jv && jv.TryGetValue<double>(out var d))
            return $"<td class=\"num\" data-sort=\"{Html.Escape(d.ToString("R", System.Globalization.CultureInfo.InvariantCulture))}\">{Html.Escape(Html.Number(d))}</td>";
        return $"<td>{Cell(v)}</td>";
    }

    public static string Cell(JsonNode? v)
    {
        if (v is null) return "—";
        if (v is JsonValue jv)
        {
            if (jv.TryGetValue<double>(out var d)) return Html.Escape(Html.Number(d));
            if (jv.TryGetValue<bool>(out var b)) return b ? "true" : "false";
            if (jv.TryGetValue<string>(out var s)) return Html.Escape(s);
        }
        return Html.Escape(v.ToJsonString());
    }
}
