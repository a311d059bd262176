using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// Parses YAML (and therefore JSON, which is YAML's flow style) into a <see cref="ConfigNode"/> tree that remembers
/// line and column. Reads the event stream rather than YamlDotNet's object model so that duplicate keys are errors
/// with a position instead of an exception without one.
/// </summary>
public static class YamlConfigReader
{
    public static ConfigNode ReadFile(string path)
    {
        if (!File.Exists(path)) throw new Core.LabException($"{path}: config file not found");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses one document; <paramref name="source"/> names it in errors (a file path, or "--set k=v").</summary>
    public static ConfigNode Parse(string text, string source, bool commandLine = false)
    {
        var anchors = new Dictionary<string, ConfigNode>(StringComparer.Ordinal);
        var errors = new List<ConfigError>();
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
                throw new ConfigException([new ConfigError(new SourcePosition(source, 1, 1), "", "the config is empty")]);
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, source, commandLine, anchors, errors);
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var extra))
                errors.Add(new ConfigError(Pos(extra.Start, source, commandLine), "", "more than one YAML document ('---'); a config is one document"));
            if (errors.Count > 0) throw new ConfigException(errors);
            return root;
        }
        catch (YamlException e)
        {
            // YamlDotNet puts "(Line: a, Col: b, Idx: c) - (...): " in front of its messages; we print the position ourselves.
            var msg = e.Message;
            int cut = msg.IndexOf("): ", StringComparison.Ordinal);
            if (msg.StartsWith('(') && cut > 0) msg = msg[(cut + 3)..];
            errors.Add(new ConfigError(Pos(e.Start, source, commandLine), "", (commandLine ? "malformed value: " : "malformed YAML: ") + msg.TrimEnd('.')));
            throw new ConfigException(errors);
        }
    }

    private static ConfigNode ReadNode(IParser parser, string source, bool commandLine, Dictionary<string, ConfigNode> anchors, List<ConfigError> errors)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target)) return target.Clone();
            errors.Add(new ConfigError(Pos(alias.Start, source, commandLine), "", $"unknown alias '*{alias.Value.Value}'"));
            return new ConfigScalar("", false, Pos(alias.Start, source, commandLine));
        }
        ConfigNode node;
        string? anchor = null;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            node = new ConfigScalar(scalar.Value, scalar.Style != ScalarStyle.Plain, Pos(scalar.Start, source, commandLine));
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            anchor = seqStart.Anchor.IsEmpty ? null : seqStart.Anchor.Value;
            var items = new List<ConfigNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, source, commandLine, anchors, errors));
            node = new ConfigSequence(items, Pos(seqStart.Start, source, commandLine));
        }
        else if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            anchor = mapStart.Anchor.IsEmpty ? null : mapStart.Anchor.Value;
            var entries = new List<KeyValuePair<ConfigScalar, ConfigNode>>();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyNode = ReadNode(parser, source, commandLine, anchors, errors);
                var value = ReadNode(parser, source, commandLine, anchors, errors);
                if (keyNode is not ConfigScalar key)
                {
                    errors.Add(new ConfigError(keyNode.Position, "", "mapping keys must be plain names, not lists or mappings"));
                    continue;
                }
                if (entries.Any(e => e.Key.Value == key.Value))
                {
                    var first = entries.First(e => e.Key.Value == key.Value).Key.Position;
                    errors.Add(new ConfigError(key.Position, "", $"duplicate key '{key.Value}' (first given at {first})"));
                    continue;
                }
                entries.Add(new(key, value));
            }
            node = new ConfigMapping(entries, Pos(mapStart.Start, source, commandLine));
        }
        else
        {
            var ev = parser.Current!;
            throw new YamlException(ev.Start, ev.End, $"unexpected {ev.GetType().Name}");
        }
        if (anchor is not null) anchors[anchor] = node;
        return node;
    }

    private static SourcePosition Pos(Mark mark, string source, bool commandLine) =>
        commandLine ? SourcePosition.CommandLine(source) : new SourcePosition(source, (int)mark.Line, (int)mark.Column);
}
