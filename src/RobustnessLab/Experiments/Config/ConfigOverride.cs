namespace RobustnessLab.Experiments.Config;

/// <summary>
/// A command-line override <c>path=value</c>, e.g. <c>attacks[0].eps=[0.05,0.1]</c> or <c>models.standard.epochs=2</c>.
/// The value is YAML (so lists and mappings work); <c>null</c> removes the key. Missing mappings on the way are
/// created; list indices must exist (or be one past the end, to append).
/// </summary>
public sealed record ConfigOverride(string Path, ConfigNode Value, SourcePosition Where)
{
    public static ConfigOverride Parse(string text)
    {
        int eq = text.IndexOf('=', StringComparison.Ordinal);
        var where = SourcePosition.CommandLine($"--set {text}");
        if (eq <= 0)
            throw new ConfigException([new ConfigError(where, "", "expected key=value (e.g. models.standard.epochs=2)")]);
        var path = text[..eq].Trim();
        try
        {
            ConfigPath.Parse(path);
        }
        catch (FormatException e)
        {
            throw new ConfigException([new ConfigError(where, "", e.Message)]);
        }
        var valueText = text[(eq + 1)..];
        var value = valueText.Trim().Length == 0
            ? new ConfigScalar("", false, where)
            : YamlConfigReader.Parse(valueText, where.Source, commandLine: true);
        return new ConfigOverride(path, value, where);
    }

    /// <summary>Builds an override from a node (sweep points), keeping the node's own position for errors.</summary>
    public static ConfigOverride FromNode(string path, ConfigNode value) => new(path, value, value.Position);

    /// <summary>Applies the override to a tree in place.</summary>
    public void ApplyTo(ConfigMapping root)
    {
        var where = Where;
        var segments = ConfigPath.Parse(Path);
        ConfigNode current = root;
        string walked = "";
        for (int s = 0; s < segments.Count; s++)
        {
            var seg = segments[s];
            bool last = s == segments.Count - 1;
            if (seg.IsIndex)
            {
                if (current is not ConfigSequence seq)
                    throw Error(where, walked, $"is {current.Describe()}, not a list, so [{seg.Index}] cannot be set");
                if (seg.Index > seq.Items.Count || (!last && seg.Index == seq.Items.Count))
                    throw Error(where, walked, $"index {seg.Index} is out of range (the list has {seq.Items.Count} entries)");
                if (last)
                {
                    if (seg.Index == seq.Items.Count) seq.Items.Add(Value.Clone());
                    else if (Value is ConfigScalar { IsNull: true }) seq.Items.RemoveAt(seg.Index);
                    else seq.Items[seg.Index] = Value.Clone();
                    return;
                }
                current = seq.Items[seg.Index];
                walked = ConfigPath.Item(walked, seg.Index);
            }
            else
            {
                if (current is not ConfigMapping map)
                    throw Error(where, walked, $"is {current.Describe()}, not a mapping, so '{seg.Key}' cannot be set");
                var key = new ConfigScalar(seg.Key!, false, where);
                if (last)
                {
                    if (Value is ConfigScalar { IsNull: true }) map.Remove(seg.Key!);
                    else map.Set(key, Value.Clone());
                    return;
                }
                var next = map.Get(seg.Key!);
                if (next is null or ConfigScalar { IsNull: true } or ConfigScalar { IsEmpty: true })
                {
                    if (segments[s + 1].IsIndex)
                        throw Error(where, ConfigPath.Child(walked, seg.Key!), "does not exist, so it has no list entries to set");
                    next = new ConfigMapping([], where);
                    map.Set(key, next);
                }
                current = next;
                walked = ConfigPath.Child(walked, seg.Key!);
            }
        }
    }

    private static ConfigException Error(SourcePosition where, string path, string message) =>
        new([new ConfigError(where, path.Length == 0 ? "(root)" : path, message)]);
}
