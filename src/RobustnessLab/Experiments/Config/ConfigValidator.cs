using System.Globalization;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// Semantic checks of a bound config: each error is reported at the position the key had in the file (or at the
/// closest enclosing key when the value took its default), with the key path and a "did you mean" where useful.
/// </summary>
public sealed class ConfigValidator
{
    private readonly IReadOnlyDictionary<string, SourcePosition> positions;
    private readonly SourcePosition fallback;
    private string prefix = "";

    public ConfigValidator(IReadOnlyDictionary<string, SourcePosition> positions, SourcePosition fallback, IReadOnlyList<string> modelIds)
    {
        this.positions = positions;
        this.fallback = fallback;
        ModelIds = modelIds;
    }

    public List<ConfigError> Errors { get; } = [];

    /// <summary>Class names the run's dataset may have (both datasets' for 'auto'); null when unknown.</summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>A class given by name, checked against the dataset's classes before anything trains.</summary>
    public void ClassName(string key, string? name)
    {
        if (name is null || ClassNames is null || ClassNames.Contains(name, StringComparer.Ordinal)) return;
        Error(key, $"no class '{name}' in the dataset{DidYouMean.Hint(name, ClassNames.ToList())}");
    }

    /// <summary>
    /// A list of classes by name (any case, as the fooling and visualisation stages read them) or index: each name is
    /// checked against the dataset's classes before anything trains.
    /// </summary>
    public void ClassNamesOrIndices(string key, IReadOnlyList<string>? entries)
    {
        if (ClassNames is null || entries is null) return;
        for (int i = 0; i < entries.Count; i++)
        {
            var name = entries[i].Trim();
            if (int.TryParse(name, NumberStyles.Integer, CultureInfo.InvariantCulture, out _) || ClassNames.Contains(name, StringComparer.OrdinalIgnoreCase)) continue;
            Error($"{key}[{i}]", $"no class '{name}' in the dataset{DidYouMean.Hint(name, ClassNames.ToList())}");
        }
    }

    /// <summary>Ids of the models the config defines (stages refer to them).</summary>
    public IReadOnlyList<string> ModelIds { get; }

    /// <summary>The key path currently being checked.</summary>
    public string Path => prefix;

    /// <summary>Checks a nested section under a key (or "[i]" when <paramref name="key"/> starts with '[').</summary>
    public void Within(string key, Action check)
    {
        var saved = prefix;
        prefix = key.StartsWith('[') ? prefix + key : ConfigPath.Child(prefix, key);
        try { check(); }
        finally { prefix = saved; }
    }

    public void Section(string key, IConfigSection? section)
    {
        if (section is not null) Within(key, () => section.Validate(this));
    }

    public void Sections<T>(string key, IReadOnlyList<T>? sections) where T : IConfigSection
    {
        if (sections is null) return;
        for (int i = 0; i < sections.Count; i++)
        {
            var s = sections[i];
            if (s is not null) Within(ConfigPath.Item(key, i), () => s.Validate(this));
        }
    }

    /// <summary>Whether the key was written in the config (rather than taking its default).</summary>
    public bool Given(string key) => positions.ContainsKey(ConfigPath.Child(prefix, key));

    public void Error(string key, string message)
    {
        var path = key.Length == 0 ? prefix : ConfigPath.Child(prefix, key);
        Errors.Add(new ConfigError(PositionOf(path), path.Length == 0 ? "(root)" : path, message));
    }

    public void Require(bool condition, string key, string message)
    {
        if (!condition) Error(key, message);
    }

    public void Range(string key, double value, double min, double max)
    {
        if (value < min || value > max) Error(key, $"must be in [{F(min)}, {F(max)}], got {F(value)}");
    }

    public void Positive(string key, double value)
    {
        if (!(value > 0)) Error(key, $"must be positive, got {F(value)}");
    }

    public void NonNegative(string key, double value)
    {
        if (value < 0) Error(key, $"must be >= 0, got {F(value)}");
    }

    /// <summary>A name from a fixed vocabulary (attack, method, encoding...), with "did you mean".</summary>
    public void OneOf(string key, string? value, IReadOnlyCollection<string> valid)
    {
        if (value is null) return;
        if (!valid.Contains(value, StringComparer.Ordinal)) Error(key, $"unknown value '{value}'{DidYouMean.Hint(value, valid)}");
    }

    /// <summary>A reference to a model id defined under <c>models:</c>.</summary>
    public void ModelRef(string key, string? id)
    {
        if (id is null) return;
        if (!ModelIds.Contains(id, StringComparer.Ordinal))
            Error(key, $"no model '{id}' is defined under 'models'{DidYouMean.Hint(id, ModelIds)}");
    }

    /// <summary>A stage that works on the run's models needs at least one.</summary>
    public void RequireModels()
    {
        if (ModelIds.Count == 0) Error("", "this stage works on the run's models, but 'models:' defines none");
    }

    public void ModelRefs(string key, IReadOnlyList<string>? ids)
    {
        if (ids is null) return;
        for (int i = 0; i < ids.Count; i++) ModelRef(ConfigPath.Item(key, i), ids[i]);
        var dup = ids.GroupBy(x => x).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) Error(key, $"model '{dup.Key}' is listed twice");
    }

    private SourcePosition PositionOf(string path)
    {
        // The value's own position, else the closest enclosing key that was written.
        var p = path;
        while (true)
        {
            if (positions.TryGetValue(p, out var pos)) return pos;
            int cut = Math.Max(p.LastIndexOf('.'), p.LastIndexOf('['));
            if (cut <= 0) return positions.TryGetValue("", out var root) ? root : fallback;
            p = p[..cut];
        }
    }

    private static string F(double v) => v.ToString("G", CultureInfo.InvariantCulture);
}
