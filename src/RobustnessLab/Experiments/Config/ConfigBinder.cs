using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// Binds a <see cref="ConfigNode"/> tree to config records by their JSON names (the same names results.json uses),
/// collecting every error with its position: unknown keys (with "did you mean"), wrong types, missing required keys.
/// Records the position of each bound path so later semantic checks can point at the file too.
/// </summary>
public sealed class ConfigBinder
{
    public List<ConfigError> Errors { get; } = [];

    /// <summary>Position of every value that was written in the config (absent paths took their default).</summary>
    public Dictionary<string, SourcePosition> Positions { get; } = new(StringComparer.Ordinal);

    public T? Bind<T>(ConfigNode node, string path) => (T?)Bind(node, typeof(T), path);

    public object? Bind(ConfigNode node, Type type, string path)
    {
        Positions[path] = node.Position;
        var underlying = Nullable.GetUnderlyingType(type);
        if (node is ConfigScalar { IsNull: true })
        {
            if (underlying is not null || !type.IsValueType) return null;
            return Fail(node, path, $"needs {Expected(type)}, got null");
        }
        type = underlying ?? type;
        if (type == typeof(JsonNode)) return ToJsonNode(node);
        if (type == typeof(string))
            return node is ConfigScalar s ? s.Value : Fail(node, path, $"must be a string, got {node.Describe()}");
        if (type == typeof(bool))
            return node is ConfigScalar b && b.TryGetBool(out var bv) ? bv : Fail(node, path, $"must be true or false, got {node.Describe()}");
        if (type == typeof(int))
            return node is ConfigScalar i && i.TryGetLong(out var iv) && iv is >= int.MinValue and <= int.MaxValue
                ? (int)iv : Fail(node, path, $"must be an integer, got {node.Describe()}");
        if (type == typeof(long))
            return node is ConfigScalar l && l.TryGetLong(out var lv) ? lv : Fail(node, path, $"must be an integer, got {node.Describe()}");
        if (type == typeof(double))
            return node is ConfigScalar d && d.TryGetDouble(out var dv) ? dv
                : Fail(node, path, node is ConfigScalar { Quoted: false } nf && nf.Value.ToLowerInvariant() is ".nan" or "nan" or ".inf" or "-.inf" or "+.inf" or "inf" or "-inf" or "infinity" or "-infinity"
                    ? $"must be a finite number, got {node.Describe()}" : $"must be a number, got {node.Describe()}");
        if (DictionaryValueType(type) is { } valueType) return BindDictionary(node, valueType, path);
        if (ListElementType(type) is { } elementType) return BindList(node, type, elementType, path);
        if (type.IsClass && type.GetConstructor(Type.EmptyTypes) is not null) return BindObject(node, type, path);
        throw new NotSupportedException($"config binder cannot bind {type}");
    }

    private object? BindObject(ConfigNode node, Type type, string path)
    {
        var instance = Activator.CreateInstance(type)!;
        if (node is ConfigScalar { IsEmpty: true }) return instance; // "eval:" with nothing: present, with defaults
        if (node is not ConfigMapping map) return Fail(node, path, $"must be a mapping of settings, got {node.Describe()}");
        var props = SettableProperties(type);
        foreach (var (key, value) in map.Entries)
        {
            var childPath = ConfigPath.Child(path, key.Value);
            if (!props.TryGetValue(key.Value, out var prop))
            {
                Errors.Add(new ConfigError(key.Position, path.Length == 0 ? "(root)" : path,
                    $"unknown key '{key.Value}'{DidYouMean.Hint(key.Value, props.Keys.ToList())}"));
                continue;
            }
            int before = Errors.Count;
            var bound = Bind(value, prop.PropertyType, childPath);
            // A value that failed to bind keeps the default, so later checks see a consistent (if default) record.
            if (Errors.Count == before && (bound is not null || !prop.PropertyType.IsValueType)) prop.SetValue(instance, bound);
        }
        foreach (var (name, prop) in props)
            if (prop.GetCustomAttribute<RequiredAttribute>() is not null && (map.Get(name) is null or ConfigScalar { IsNull: true }))
                Errors.Add(new ConfigError(map.Position, path.Length == 0 ? "(root)" : path, $"missing required key '{name}'"));
        return instance;
    }

    private object? BindDictionary(ConfigNode node, Type valueType, string path)
    {
        var dict = (IDictionary)Activator.CreateInstance(typeof(Dictionary<,>).MakeGenericType(typeof(string), valueType), StringComparer.Ordinal)!;
        if (node is ConfigScalar { IsEmpty: true }) return dict;
        if (node is not ConfigMapping map) return Fail(node, path, $"must be a mapping, got {node.Describe()}");
        foreach (var (key, value) in map.Entries)
        {
            // A value that failed to bind is already an error; a null cannot go into a dictionary of numbers.
            var bound = Bind(value, valueType, ConfigPath.Child(path, key.Value));
            if (bound is not null || !valueType.IsValueType || Nullable.GetUnderlyingType(valueType) is not null) dict[key.Value] = bound;
        }
        return dict;
    }

    private object? BindList(ConfigNode node, Type listType, Type elementType, string path)
    {
        var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(elementType))!;
        if (node is ConfigSequence seq)
        {
            for (int i = 0; i < seq.Items.Count; i++)
            {
                // A value that failed to bind (".nan" where a number goes) is already an error; a list of numbers takes no null.
                var bound = Bind(seq.Items[i], elementType, ConfigPath.Item(path, i));
                if (bound is not null || !elementType.IsValueType || Nullable.GetUnderlyingType(elementType) is not null) list.Add(bound);
            }
        }
        else if (node is ConfigScalar { IsEmpty: false } && ListElementType(elementType) is null && elementType.GetConstructor(Type.EmptyTypes) is null)
        {
            // A single value where a list is expected ("eps: 0.1", "models: standard") means a list of one.
            var bound = Bind(node, elementType, ConfigPath.Item(path, 0));
            if (bound is not null || !elementType.IsValueType) list.Add(bound);
            Positions[path] = node.Position;
        }
        else if (node is ConfigScalar { IsEmpty: true }) { }
        else return Fail(node, path, $"must be a list, got {node.Describe()}");
        if (!listType.IsArray) return list;
        var array = Array.CreateInstance(elementType, list.Count);
        list.CopyTo(array, 0);
        return array;
    }

    private object? Fail(ConfigNode node, string path, string message)
    {
        Errors.Add(new ConfigError(node.Position, path.Length == 0 ? "(root)" : path, message));
        return null;
    }

    /// <summary>Public settable properties of a config record by their JSON names, in declaration order.</summary>
    public static Dictionary<string, PropertyInfo> SettableProperties(Type type)
    {
        var result = new Dictionary<string, PropertyInfo>(StringComparer.Ordinal);
        foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!p.CanWrite || p.GetCustomAttribute<JsonIgnoreAttribute>() is not null) continue;
            result[JsonName(p)] = p;
        }
        return result;
    }

    public static string JsonName(PropertyInfo p) =>
        p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name ?? JsonNamingPolicy.SnakeCaseLower.ConvertName(p.Name);

    public static Type? ListElementType(Type type)
    {
        if (type == typeof(string)) return null;
        if (type.IsArray) return type.GetElementType();
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        return def == typeof(List<>) || def == typeof(IReadOnlyList<>) || def == typeof(IList<>) || def == typeof(IEnumerable<>) || def == typeof(IReadOnlyCollection<>)
            ? type.GetGenericArguments()[0] : null;
    }

    public static Type? DictionaryValueType(Type type)
    {
        if (!type.IsGenericType) return null;
        var def = type.GetGenericTypeDefinition();
        if (def != typeof(Dictionary<,>) && def != typeof(IReadOnlyDictionary<,>) && def != typeof(IDictionary<,>)) return null;
        var args = type.GetGenericArguments();
        return args[0] == typeof(string) ? args[1] : null;
    }

    private static string Expected(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        if (t == typeof(int) || t == typeof(long)) return "an integer";
        if (t == typeof(double)) return "a number";
        if (t == typeof(bool)) return "true or false";
        return "a value";
    }

    /// <summary>Generic conversion for free-form values (sweep axes, options): plain scalars are typed, quoted ones are strings.</summary>
    public static JsonNode? ToJsonNode(ConfigNode node)
    {
        switch (node)
        {
            case ConfigScalar s:
                if (s.Quoted) return JsonValue.Create(s.Value);
                if (s.IsNull) return null;
                if (s.TryGetBool(out var b)) return JsonValue.Create(b);
                if (s.TryGetLong(out var l)) return JsonValue.Create(l);
                if (s.TryGetDouble(out var d)) return JsonValue.Create(d);
                return JsonValue.Create(s.Value);
            case ConfigSequence q:
                return new JsonArray(q.Items.Select(ToJsonNode).ToArray());
            case ConfigMapping m:
                var o = new JsonObject();
                foreach (var (k, v) in m.Entries) o[k.Value] = ToJsonNode(v);
                return o;
            default:
                throw new ArgumentException("unknown node");
        }
    }

    /// <summary>Formats a number the way the lab writes it everywhere (invariant, shortest round-trip).</summary>
    public static string Number(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}
