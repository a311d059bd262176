namespace RobustnessLab.Experiments.Config;

/// <summary>A list.</summary>
public sealed class ConfigSequence(List<ConfigNode> items, SourcePosition position) : ConfigNode(position)
{
    public List<ConfigNode> Items { get; } = items;

    public override ConfigNode Clone() => new ConfigSequence(Items.Select(i => i.Clone()).ToList(), Position);

    public override string Describe() => "a list";
}
