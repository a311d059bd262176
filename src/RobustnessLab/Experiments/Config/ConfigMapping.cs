namespace RobustnessLab.Experiments.Config;

/// <summary>A mapping whose keys keep their file order (model ids, sweep axes and stages are ordered).</summary>
public sealed class ConfigMapping(List<KeyValuePair<ConfigScalar, ConfigNode>> entries, SourcePosition position) : ConfigNode(position)
{
    public List<KeyValuePair<ConfigScalar, ConfigNode>> Entries { get; } = entries;

    public IEnumerable<string> Keys => Entries.Select(e => e.Key.Value);

    public ConfigNode? Get(string key) => Entries.FirstOrDefault(e => e.Key.Value == key).Value;

    /// <summary>Replaces the value of a key, or appends the key.</summary>
    public void Set(ConfigScalar key, ConfigNode value)
    {
        int i = Entries.FindIndex(e => e.Key.Value == key.Value);
        if (i >= 0) Entries[i] = new(Entries[i].Key, value);
        else Entries.Add(new(key, value));
    }

    public bool Remove(string key) => Entries.RemoveAll(e => e.Key.Value == key) > 0;

    public override ConfigNode Clone() =>
        new ConfigMapping(Entries.Select(e => new KeyValuePair<ConfigScalar, ConfigNode>(e.Key, e.Value.Clone())).ToList(), Position);

    public override string Describe() => "a mapping";
}
