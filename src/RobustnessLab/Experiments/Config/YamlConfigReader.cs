using RobustnessLab.Core;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// Parses YAML (and therefore JSON, which is YAML's flow style) into a <see cref="ConfigNode"/> tree that remembers
/// line and column. Reads the event stream rather than YamlDotNet's object model so that duplicate keys are errors
/// with a position instead of an exception without one, and so that hostile input is bounded while it is read: the
/// file size, the nesting depth (deep nesting would overflow the stack) and the number of values after aliases are
/// expanded (nine levels of aliases of aliases, "billion laughs", would otherwise expand a 400-byte file into
/// billions of values) each have a limit in <see cref="ResourceLimits"/>.
/// </summary>
public static class YamlConfigReader
{
    public static ConfigNode ReadFile(string path)
    {
        if (!File.Exists(path)) throw new LabException($"{path}: config file not found");
        long length = new FileInfo(path).Length;
        if (length > ResourceLimits.MaxConfigBytes)
            throw new ConfigException([new ConfigError(new SourcePosition(path, 1, 1), "",
                $"the config is {length:N0} bytes; the limit is {ResourceLimits.MaxConfigBytes:N0} (a sweep: block replaces long lists of near-identical entries; RL_MAX_CONFIG_BYTES raises the limit)")]);
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>Parses one document; <paramref name="source"/> names it in errors (a file path, or "--set k=v").</summary>
    public static ConfigNode Parse(string text, string source, bool commandLine = false)
    {
        var state = new ReadState(source, commandLine);
        if (text.Length > ResourceLimits.MaxConfigBytes)
            throw new ConfigException([new ConfigError(new SourcePosition(source, 1, 1), "",
                $"the config is {text.Length:N0} characters; the limit is {ResourceLimits.MaxConfigBytes:N0} (RL_MAX_CONFIG_BYTES raises it)")]);
        try
        {
            var parser = new Parser(new StringReader(text));
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
                throw new ConfigException([new ConfigError(new SourcePosition(source, 1, 1), "", "the config is empty")]);
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, state, 1).Node;
            parser.Consume<DocumentEnd>();
            if (parser.Accept<DocumentStart>(out var extra))
                state.Errors.Add(new ConfigError(state.Pos(extra.Start), "", "more than one YAML document ('---'); a config is one document"));
            if (state.Errors.Count > 0) throw new ConfigException(state.Errors);
            return root;
        }
        catch (YamlException e)
        {
            // YamlDotNet puts "(Line: a, Col: b, Idx: c) - (...): " in front of its messages; we print the position ourselves.
            var msg = e.Message;
            int cut = msg.IndexOf("): ", StringComparison.Ordinal);
            if (msg.StartsWith('(') && cut > 0) msg = msg[(cut + 3)..];
            state.Errors.Add(new ConfigError(state.Pos(e.Start), "", (commandLine ? "malformed value: " : "malformed YAML: ") + msg.TrimEnd('.')));
            throw new ConfigException(state.Errors);
        }
        catch (InvalidOperationException e) when (e.Source == "YamlDotNet")
        {
            // YamlDotNet 18's scanner throws this, with no position, on some malformed plain scalars; point after the last good value.
            state.Errors.Add(new ConfigError(state.Pos(state.Last), "", (commandLine ? "malformed value" : "malformed YAML") + " after this point (the YAML scanner stopped with no reason given)"));
            throw new ConfigException(state.Errors);
        }
    }

    private sealed class ReadState(string source, bool commandLine)
    {
        public readonly Dictionary<string, (ConfigNode Node, long Size)> Anchors = new(StringComparer.Ordinal);
        public readonly List<ConfigError> Errors = [];
        public long Nodes;
        public Mark Last = Mark.Empty;

        public SourcePosition Pos(Mark mark) =>
            commandLine ? SourcePosition.CommandLine(source) : new SourcePosition(source, (int)mark.Line, (int)mark.Column);

        /// <summary>Counts values as they are created (an alias counts its whole expansion) and stops at the limit.</summary>
        public void Count(long size, Mark at)
        {
            Nodes += size;
            if (Nodes > ResourceLimits.MaxConfigNodes)
                throw new ConfigException([new ConfigError(Pos(at), "",
                    $"the config expands to more than {ResourceLimits.MaxConfigNodes:N0} values (aliases count as copies of what they refer to); RL_MAX_CONFIG_NODES raises the limit")]);
        }
    }

    private static (ConfigNode Node, long Size) ReadNode(IParser parser, ReadState state, int depth)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (state.Anchors.TryGetValue(alias.Value.Value, out var target))
            {
                state.Count(target.Size, alias.Start);
                return (target.Node.Clone(), target.Size);
            }
            state.Errors.Add(new ConfigError(state.Pos(alias.Start), "", $"unknown alias '*{alias.Value.Value}'"));
            return (new ConfigScalar("", false, state.Pos(alias.Start)), 1);
        }
        var start = parser.Accept<ParsingEvent>(out var next) ? next.Start : Mark.Empty;
        state.Last = start;
        if (depth > ResourceLimits.MaxConfigDepth)
            throw new ConfigException([new ConfigError(state.Pos(start), "",
                $"lists and mappings are nested more than {ResourceLimits.MaxConfigDepth} levels deep; RL_MAX_CONFIG_DEPTH raises the limit")]);
        state.Count(1, start);
        ConfigNode node;
        long size = 1;
        string? anchor = null;
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            anchor = scalar.Anchor.IsEmpty ? null : scalar.Anchor.Value;
            node = new ConfigScalar(scalar.Value, scalar.Style != ScalarStyle.Plain, state.Pos(scalar.Start));
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            anchor = seqStart.Anchor.IsEmpty ? null : seqStart.Anchor.Value;
            var items = new List<ConfigNode>();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                var (item, itemSize) = ReadNode(parser, state, depth + 1);
                items.Add(item);
                size += itemSize;
            }
            node = new ConfigSequence(items, state.Pos(seqStart.Start));
        }
        else if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            anchor = mapStart.Anchor.IsEmpty ? null : mapStart.Anchor.Value;
            var entries = new List<KeyValuePair<ConfigScalar, ConfigNode>>();
            var firstAt = new Dictionary<string, SourcePosition>(StringComparer.Ordinal);
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var (keyNode, keySize) = ReadNode(parser, state, depth + 1);
                var (value, valueSize) = ReadNode(parser, state, depth + 1);
                size += keySize + valueSize;
                if (keyNode is not ConfigScalar key)
                {
                    state.Errors.Add(new ConfigError(keyNode.Position, "", "mapping keys must be plain names, not lists or mappings"));
                    continue;
                }
                if (!firstAt.TryAdd(key.Value, key.Position))
                {
                    state.Errors.Add(new ConfigError(key.Position, "", $"duplicate key '{key.Value}' (first given at {firstAt[key.Value]})"));
                    continue;
                }
                entries.Add(new(key, value));
            }
            node = new ConfigMapping(entries, state.Pos(mapStart.Start));
        }
        else
        {
            var ev = parser.Current!;
            throw new YamlException(ev.Start, ev.End, $"unexpected {ev.GetType().Name}");
        }
        if (anchor is not null) state.Anchors[anchor] = (node, size);
        return (node, size);
    }
}
