using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace RobustnessLab.Core;

/// <summary>
/// Sets the numeric settings of an options record by their JSON names: what a config's free-form <c>options:</c> map
/// and a command's repeatable <c>--option key=value</c> both go through, so one name means one setting everywhere and
/// the record's own defaults stay the only defaults. A nested record's settings are named <c>parent_child</c>
/// (<c>cppn_add_node</c>). Unknown names and fractions for whole-number settings are errors naming the setting.
/// </summary>
public static class NumericSettings
{
    private sealed record Leaf(string Name, string[] Path, bool Whole);

    /// <summary>The settings of <typeparamref name="T"/> that <see cref="Apply{T}"/> accepts, minus <paramref name="exclude"/>.</summary>
    public static IReadOnlyList<string> Names<T>(IReadOnlyCollection<string>? exclude = null) =>
        Leaves(typeof(T), "", []).Select(l => l.Name).Where(n => exclude is null || !exclude.Contains(n)).ToList();

    /// <summary>
    /// A copy of <paramref name="options"/> with each named setting replaced. <paramref name="what"/> names the
    /// settings in errors ("fooling", "dumbbell"). Validation of the values is the record's own business.
    /// </summary>
    public static T Apply<T>(T options, IReadOnlyDictionary<string, double>? settings, string what, IReadOnlyCollection<string>? exclude = null)
    {
        if (settings is null || settings.Count == 0) return options;
        var leaves = Leaves(typeof(T), "", []).Where(l => exclude is null || !exclude.Contains(l.Name)).ToDictionary(l => l.Name, StringComparer.Ordinal);
        var node = JsonNode.Parse(Json.Serialize(options))!.AsObject();
        foreach (var (key, value) in settings)
        {
            if (!leaves.TryGetValue(key, out var leaf))
                throw new LabException($"unknown {what} setting '{key}'{DidYouMean.HintAndList(key, leaves.Keys.ToList())}");
            if (double.IsNaN(value) || double.IsInfinity(value))
                throw new LabException($"{what} setting '{key}' must be a finite number, got {value.ToString(CultureInfo.InvariantCulture)}");
            if (leaf.Whole && (value != Math.Floor(value) || Math.Abs(value) > int.MaxValue))
                throw new LabException($"{what} setting '{key}' must be a whole number, got {value.ToString(CultureInfo.InvariantCulture)}");
            var parent = node;
            foreach (var step in leaf.Path[..^1])
                parent = parent[step] as JsonObject ?? (JsonObject)(parent[step] = new JsonObject());
            parent[leaf.Path[^1]] = leaf.Whole ? JsonValue.Create((long)value) : JsonValue.Create(value);
        }
        return Json.Deserialize<T>(node.ToJsonString(), $"{what} settings");
    }

    private static IEnumerable<Leaf> Leaves(Type type, string prefix, string[] path)
    {
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (p.GetCustomAttribute<JsonIgnoreAttribute>() is not null || p.SetMethod is null || !p.SetMethod.IsPublic) continue;
            var name = p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? Json.Options.PropertyNamingPolicy!.ConvertName(p.Name);
            var t = Nullable.GetUnderlyingType(p.PropertyType) ?? p.PropertyType;
            if (t == typeof(int) || t == typeof(long)) yield return new Leaf(prefix + name, [.. path, name], true);
            else if (t == typeof(double) || t == typeof(float)) yield return new Leaf(prefix + name, [.. path, name], false);
            else if (t.IsClass && t != typeof(string) && !typeof(IEnumerable).IsAssignableFrom(t) && t.Namespace?.StartsWith("RobustnessLab", StringComparison.Ordinal) == true)
                foreach (var leaf in Leaves(t, prefix + name + "_", [.. path, name])) yield return leaf;
        }
    }
}
