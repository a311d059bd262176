using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Experiments;

/// <summary>
/// A stage the config schema knows: its key, the type its section binds to, and how to run it. A stage whose library
/// has not been merged yet has no <see cref="Create"/>: its section is validated, but the runner refuses to run it
/// and says why (<see cref="NotWiredReason"/>).
/// </summary>
public sealed record StageDefinition(string Name, Type SectionType, string Summary, Func<IExperimentStage>? Create, string? NotWiredReason = null)
{
    public bool IsWired => Create is not null;

    /// <summary>For list-shaped sections (attacks, figures), the item type; else the section type.</summary>
    public Type ItemType => ConfigBinder.ListElementType(SectionType) ?? SectionType;
}
