namespace RobustnessLab.Experiments.Config;

/// <summary>
/// A parsed config value with the position it came from, so that every later error (wrong type, unknown key,
/// model id that does not exist) can name file, line and column. YAML and JSON both parse into this tree.
/// </summary>
public abstract class ConfigNode(SourcePosition position)
{
    public SourcePosition Position { get; } = position;

    /// <summary>A deep copy (sweep points and overrides edit copies, never the parsed file).</summary>
    public abstract ConfigNode Clone();

    /// <summary>What the node is, in words for error messages ("a mapping", "a list", "the number 3").</summary>
    public abstract string Describe();
}
