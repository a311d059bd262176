using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RobustnessLab.Reporting;

/// <summary>
/// Writes a JSON tree as readable block YAML (lists of numbers inline), for `lab config show` and the gallery's
/// configuration section. Strings that could be misread (numbers, booleans, special characters) are double-quoted,
/// which is valid YAML with JSON escapes, so the output loads back to the same values.
/// </summary>
public static partial class YamlText
{
    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        if (node is JsonObject o) WriteObject(sb, o, 0);
        else sb.Append(Scalar(node)).Append('\n');
        return sb.ToString();
    }

    private static void WriteObject(StringBuilder sb, JsonObject o, int indent)
    {
        foreach (var (key, value) in o)
        {
            sb.Append(' ', indent).Append(Key(key)).Append(':');
            WriteValue(sb, value, indent);
        }
    }

    private static void WriteValue(StringBuilder sb, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: 0 }:
                sb.Append(" {}\n");
                break;
            case JsonObject child:
                sb.Append('\n');
                WriteObject(sb, child, indent + 2);
                break;
            case JsonArray { Count: 0 }:
                sb.Append(" []\n");
                break;
            case JsonArray arr when arr.All(x => x is null or JsonValue):
                sb.Append(" [").Append(string.Join(", ", arr.Select(Scalar))).Append("]\n");
                break;
            case JsonArray arr:
                sb.Append('\n');
                foreach (var item in arr)
                {
                    sb.Append(' ', indent + 2).Append('-');
                    if (item is JsonObject io && io.Count > 0)
                    {
                        var inner = new StringBuilder();
                        WriteObject(inner, io, indent + 4);
                        sb.Append(' ').Append(inner.ToString()[(indent + 4)..]);
                    }
                    else WriteValue(sb, item, indent + 2);
                }
                break;
            default:
                sb.Append(' ').Append(Scalar(value)).Append('\n');
                break;
        }
    }

    private static string Key(string key) => PlainKey().IsMatch(key) ? key : JsonSerializer.Serialize(key);

    private static string Scalar(JsonNode? node)
    {
        if (node is null) return "null";
        var v = node.AsValue();
        if (v.TryGetValue<string>(out var s))
            return PlainString().IsMatch(s) && !Reserved().IsMatch(s) && !double.TryParse(s, out _) ? s : JsonSerializer.Serialize(s);
        return v.ToJsonString();
    }

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]*$")]
    private static partial Regex PlainKey();

    [GeneratedRegex("^[A-Za-z_/.][A-Za-z0-9_./ -]*[A-Za-z0-9_./-]$|^[A-Za-z_]$")]
    private static partial Regex PlainString();

    [GeneratedRegex("^(?i:true|false|null|yes|no|on|off|y|n|~)$")]
    private static partial Regex Reserved();
}
