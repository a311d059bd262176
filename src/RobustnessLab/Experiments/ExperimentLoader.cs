using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RobustnessLab.Core;
using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Experiments;

/// <summary>
/// Reads a YAML or JSON config, applies <c>--set</c> overrides, binds it against the schema (fixed keys plus the
/// registry's stage sections), validates every sweep point, and reports every problem at once with its position.
/// </summary>
public static partial class ExperimentLoader
{
    public const int MaxSweepPoints = 10_000;

    public static Experiment Load(string path, IEnumerable<string>? overrides = null, StageRegistry? registry = null) =>
        FromTree(YamlConfigReader.ReadFile(path), path, overrides, registry ?? StageRegistry.Default);

    public static Experiment Parse(string text, string source, IEnumerable<string>? overrides = null, StageRegistry? registry = null) =>
        FromTree(YamlConfigReader.Parse(text, source), source, overrides, registry ?? StageRegistry.Default);

    private static Experiment FromTree(ConfigNode tree, string source, IEnumerable<string>? overrides, StageRegistry registry)
    {
        if (tree is not ConfigMapping map)
            throw new ConfigException([new ConfigError(tree.Position, "", $"a config is a mapping of settings (name:, dataset:, models:, stages...), got {tree.Describe()}")]);
        var errors = new List<ConfigError>();
        // Counts a researcher writes by hand stay in the tens; far beyond that is a generated or hostile file, and
        // binding and validating it would take minutes.
        foreach (var (key, value) in map.Entries)
        {
            int count = value is ConfigMapping m && key.Value == "models" ? m.Entries.Count : value is ConfigSequence seq ? seq.Items.Count : 0;
            if (count > Core.ResourceLimits.MaxConfigEntries)
                errors.Add(new ConfigError(value.Position, key.Value, $"{count:N0} entries; the limit is {Core.ResourceLimits.MaxConfigEntries:N0} (RL_MAX_CONFIG_ENTRIES raises it)"));
        }
        if (errors.Count > 0) throw new ConfigException(errors);
        foreach (var text in overrides ?? [])
        {
            try { ConfigOverride.Parse(text).ApplyTo(map); }
            catch (ConfigException e) { errors.AddRange(e.Errors); }
        }
        if (errors.Count > 0) throw new ConfigException(errors);

        var config = BindAndValidate(map, registry, errors);
        if (errors.Count > 0) throw new ConfigException(errors);

        var points = new List<SweepPoint>();
        if (config.Sweep is not { Count: > 0 })
        {
            points.Add(new SweepPoint(0, "", new Dictionary<string, JsonNode?>(), config.Resolve()));
            return new Experiment(source, config, points);
        }
        var axes = ((ConfigMapping)map.Get("sweep")!).Entries
            .Select(e => (Path: e.Key.Value, Values: ((ConfigSequence)e.Value).Items))
            .ToList();
        long total = axes.Aggregate(1L, (acc, a) => acc * a.Values.Count);
        if (total > MaxSweepPoints)
            throw new ConfigException([new ConfigError(map.Get("sweep")!.Position, "sweep", $"expands to {total} points; the limit is {MaxSweepPoints}")]);
        var seen = new HashSet<string>();
        for (int index = 0; index < total; index++)
        {
            var tree2 = (ConfigMapping)map.Clone();
            tree2.Remove("sweep");
            var assignments = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
            long rest = index;
            var picks = new (string Path, ConfigNode Value)[axes.Count];
            for (int a = axes.Count - 1; a >= 0; a--)
            {
                var values = axes[a].Values;
                picks[a] = (axes[a].Path, values[(int)(rest % values.Count)]);
                rest /= values.Count;
            }
            var pointErrors = new List<ConfigError>();
            foreach (var (path, value) in picks)
            {
                assignments[path] = ConfigBinder.ToJsonNode(value);
                try { ConfigOverride.FromNode(path, value).ApplyTo(tree2); }
                catch (ConfigException e) { pointErrors.AddRange(e.Errors); }
            }
            var label = string.Join(", ", assignments.Select(p => $"{p.Key}={p.Value?.ToJsonString() ?? "null"}"));
            ExperimentConfig? pointConfig = null;
            if (pointErrors.Count == 0) pointConfig = BindAndValidate(tree2, registry, pointErrors);
            foreach (var e in pointErrors)
            {
                var withPoint = e with { Message = $"{e.Message} (sweep point {label})" };
                if (seen.Add(e.ToString())) errors.Add(withPoint);
            }
            if (pointConfig is not null && pointErrors.Count == 0)
                points.Add(new SweepPoint(index, label, assignments, pointConfig.Resolve() with { Sweep = null }));
        }
        if (errors.Count > 0) throw new ConfigException(errors);
        return new Experiment(source, config, points);
    }

    private static ExperimentConfig BindAndValidate(ConfigMapping map, StageRegistry registry, List<ConfigError> errors)
    {
        var binder = new ConfigBinder();
        binder.Positions[""] = map.Position;
        var config = new ExperimentConfig();
        var stages = new Dictionary<string, object>(StringComparer.Ordinal);
        JsonObject? sweep = null;
        foreach (var (key, value) in map.Entries)
        {
            switch (key.Value)
            {
                case "name": config = config with { Name = binder.Bind<string>(value, "name") ?? "" }; break;
                case "seed": config = config with { Seed = binder.Bind<int?>(value, "seed") ?? 0 }; break;
                case "device": config = config with { Device = binder.Bind<string>(value, "device") ?? "cpu" }; break;
                case "threads": config = config with { Threads = binder.Bind<int?>(value, "threads") ?? 0 }; break;
                case "dataset": config = config with { Dataset = binder.Bind<DatasetConfig>(value, "dataset") }; break;
                case "models":
                    config = config with { Models = binder.Bind<Dictionary<string, ModelConfig>>(value, "models") ?? new Dictionary<string, ModelConfig>() };
                    break;
                case "sweep":
                    sweep = BindSweep(value, errors);
                    binder.Positions["sweep"] = value.Position;
                    break;
                default:
                    var stage = registry.Find(key.Value);
                    if (stage is null)
                    {
                        var valid = ExperimentConfig.RootKeys.Concat(registry.Names).ToList();
                        errors.Add(new ConfigError(key.Position, "(root)", $"unknown key '{key.Value}'{DidYouMean.Hint(key.Value, valid)}"));
                        break;
                    }
                    var section = binder.Bind(value, stage.SectionType, key.Value);
                    if (section is not null) stages[key.Value] = section;
                    break;
            }
        }
        errors.AddRange(binder.Errors);
        if (map.Get("name") is null) errors.Add(new ConfigError(map.Position, "(root)", "missing required key 'name'"));
        var ordered = registry.Stages.Where(s => stages.ContainsKey(s.Name)).ToDictionary(s => s.Name, s => stages[s.Name], StringComparer.Ordinal);
        config = config with
        {
            Stages = ordered,
            Sweep = sweep?.ToDictionary(p => p.Key, p => p.Value?.DeepClone(), StringComparer.Ordinal),
        };

        var v = new ConfigValidator(binder.Positions, map.Position, config.Models.Keys.ToList())
        {
            ClassNames = config.Dataset?.Name == DatasetConfig.Auto
                ? Data.DatasetRegistry.Names.SelectMany(n => Data.DatasetRegistry.ClassNames(n) ?? []).Distinct().ToList()
                : config.Dataset is null ? null : Data.DatasetRegistry.ClassNames(config.Dataset.Name),
        };
        if (map.Get("name") is not null && !NamePattern().IsMatch(config.Name))
            v.Error("name", $"'{config.Name}' cannot name a folder: use letters, digits, '.', '-' and '_' (starting with a letter or digit)");
        if (!DevicePattern().IsMatch(config.Device)) v.Error("device", $"unknown device '{config.Device}': use cpu, cuda or cuda:N");
        v.NonNegative("threads", config.Threads);
        if (config.Models.Count > 0 && config.Dataset is null) v.Error("models", "models train and are evaluated on a dataset: add 'dataset:' (e.g. name: fashion-mnist)");
        foreach (var id in config.Models.Keys.Where(id => !IdPattern().IsMatch(id)))
            v.Within("models", () => v.Error(id, $"model id '{id}' must be letters, digits, '-' or '_' (it appears in paths and rule keys)"));
        v.Section("dataset", config.Dataset);
        v.Within("models", () =>
        {
            foreach (var (id, model) in config.Models) v.Section(id, model);
        });
        foreach (var (name, section) in ordered)
        {
            if (section is IConfigSection single) v.Section(name, single);
            else
            {
                int i = 0;
                foreach (var item in ExperimentConfig.SectionItems(section))
                {
                    if (item is IConfigSection s) v.Section(ConfigPath.Item(name, i), s);
                    i++;
                }
                if (section is IReadOnlyList<AttackSection> attacks) AttackSection.ValidateTogether(v, name, attacks);
            }
        }
        // Semantic checks still run after type errors (so one pass reports everything), but not below a key whose
        // value could not be bound: its default would only produce a confusing second error.
        var broken = binder.Errors.Select(e => e.Path).ToList();
        // Nor on a list whose item could not be bound ("eps: [.nan]" is one error, not also "needs at least one epsilon").
        static bool Below(string path, string parent) => path == parent || path.StartsWith(parent + ".", StringComparison.Ordinal) || path.StartsWith(parent + "[", StringComparison.Ordinal);
        errors.AddRange(v.Errors.Where(e => !broken.Any(b => b != "(root)" && (Below(e.Path, b) || (b.StartsWith(e.Path + "[", StringComparison.Ordinal) && e.Path.Length > 0)))));
        errors.Sort((x, y) => x.Position.Line != y.Position.Line ? x.Position.Line.CompareTo(y.Position.Line) : x.Position.Column.CompareTo(y.Position.Column));
        return config;
    }

    private static JsonObject? BindSweep(ConfigNode node, List<ConfigError> errors)
    {
        if (node is ConfigScalar { IsNull: true } or ConfigScalar { IsEmpty: true }) return null;
        if (node is not ConfigMapping map)
        {
            errors.Add(new ConfigError(node.Position, "sweep", $"must map key paths to lists of values (e.g. seed: [0, 1, 2]), got {node.Describe()}"));
            return null;
        }
        var result = new JsonObject();
        foreach (var (key, value) in map.Entries)
        {
            try
            {
                var first = ConfigPath.Parse(key.Value)[0].Key;
                if (first is "sweep" or "name")
                {
                    errors.Add(new ConfigError(key.Position, "sweep", $"'{key.Value}' cannot be swept (a run has one name and one sweep)"));
                    continue;
                }
            }
            catch (FormatException e)
            {
                errors.Add(new ConfigError(key.Position, "sweep", e.Message));
                continue;
            }
            if (value is not ConfigSequence { Items.Count: > 0 } seq)
            {
                errors.Add(new ConfigError(value.Position, $"sweep.{key.Value}", $"must be a non-empty list of the values to try, got {value.Describe()}"));
                continue;
            }
            result[key.Value] = ConfigBinder.ToJsonNode(seq);
        }
        return result;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[A-Za-z0-9_-]+$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^(cpu|cuda(:[0-9]+)?)$")]
    private static partial Regex DevicePattern();
}
