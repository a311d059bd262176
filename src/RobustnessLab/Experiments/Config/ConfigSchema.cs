using System.ComponentModel;
using System.Reflection;
using System.Text;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Config;

/// <summary>The documented schema (every key, its type, default and meaning), generated from the config records themselves.</summary>
public static class ConfigSchema
{
    public static string Describe(StageRegistry registry)
    {
        var sb = new StringBuilder("# RobustnessLab experiment config (YAML or JSON). Keys, types, defaults:\n");
        var root = new ExperimentConfig();
        foreach (var key in ExperimentConfig.RootKeys)
        {
            var prop = ConfigBinder.SettableProperties(typeof(ExperimentConfig)).GetValueOrDefault(key);
            if (prop is null) continue;
            if (key == "models")
            {
                sb.Append("models:                      # ").Append(Doc(prop)).Append('\n').Append("  <id>:\n");
                Properties(sb, typeof(ModelConfig), new ModelConfig(), 4);
                continue;
            }
            Line(sb, 0, key, prop, root);
            if (prop.PropertyType == typeof(DatasetConfig)) Properties(sb, typeof(DatasetConfig), new DatasetConfig(), 2);
        }
        sb.Append("# stages (run in this order, after the models):\n");
        foreach (var s in registry.Stages)
        {
            bool list = ConfigBinder.ListElementType(s.SectionType) is not null;
            sb.Append(s.Name).Append(':').Append(' ', Math.Max(1, 28 - s.Name.Length)).Append("# ").Append(s.Summary)
                .Append(list ? " (a list)" : "").Append(s.IsWired ? "" : " [not runnable in this build]").Append('\n');
            var item = s.ItemType;
            Properties(sb, item, Activator.CreateInstance(item)!, list ? 4 : 2, list);
        }
        return sb.ToString();
    }

    private static void Properties(StringBuilder sb, Type type, object defaults, int indent, bool listItem = false)
    {
        bool first = true;
        foreach (var (name, prop) in ConfigBinder.SettableProperties(type))
        {
            if (listItem && first) { sb.Append(' ', indent - 2).Append("- "); Line(sb, 0, name, prop, defaults); }
            else Line(sb, indent, name, prop, defaults);
            first = false;
        }
    }

    private static void Line(StringBuilder sb, int indent, string name, PropertyInfo prop, object defaults)
    {
        var value = prop.GetValue(defaults);
        string def = value switch
        {
            null => "",
            string s when s.Length == 0 => "",
            string s => s,
            bool b => b ? "true" : "false",
            System.Collections.IEnumerable e when !e.GetEnumerator().MoveNext() => "",
            DatasetConfig or ExperimentConfig => "",
            _ => Json.Serialize(value),
        };
        var head = new string(' ', indent) + name + ": " + def;
        sb.Append(head).Append(' ', Math.Max(1, 30 - head.Length)).Append("# ").Append(TypeName(prop.PropertyType)).Append(". ").Append(Doc(prop));
        if (prop.GetCustomAttribute<System.ComponentModel.DataAnnotations.RequiredAttribute>() is not null) sb.Append(" (required)");
        sb.Append('\n');
    }

    private static string Doc(PropertyInfo p) => p.GetCustomAttribute<DescriptionAttribute>()?.Description ?? "";

    private static string TypeName(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(string)) return "text";
        if (t == typeof(int) || t == typeof(long)) return "integer";
        if (t == typeof(double)) return "number";
        if (t == typeof(bool)) return "true/false";
        if (ConfigBinder.ListElementType(t) is { } e) return "list of " + TypeName(e);
        if (ConfigBinder.DictionaryValueType(t) is { } v) return "mapping to " + TypeName(v);
        if (t == typeof(System.Text.Json.Nodes.JsonNode)) return "value";
        return "mapping";
    }
}
