namespace RobustnessLab.Experiments.Config;

/// <summary>
/// A config record with rules beyond its types (ranges, references to model ids, conflicting options). Checked after
/// binding, so a config is rejected whole, before anything runs or is written.
/// </summary>
public interface IConfigSection
{
    void Validate(ConfigValidator v);
}
