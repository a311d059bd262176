using System.Text.Json.Serialization;
using RobustnessLab.Models;

namespace RobustnessLab.Training;

/// <summary>
/// Everything that decides a model trained from scratch: the architecture, its arguments and the trainer's settings.
/// <c>lab train</c> builds it from its flags, a config's <c>models:</c> entry from its keys, your code directly; a setting
/// left out means the default here (architecture, arguments: the architecture's own) or in <see cref="TrainingOptions"/>.
/// </summary>
public sealed record ModelTrainingOptions
{
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = "cnn";
    /// <summary>Architecture arguments; those left out take the architecture's defaults (<see cref="ModelZoo"/>).</summary>
    [JsonPropertyName("args")] public IReadOnlyDictionary<string, double> Args { get; init; } = new Dictionary<string, double>();
    [JsonPropertyName("training")] public TrainingOptions Training { get; init; } = new();

    /// <summary>The same options with the architecture's canonical name and every argument written out; validates the model part.</summary>
    public ModelTrainingOptions Resolved() => this with
    {
        Architecture = ModelZoo.Get(Architecture).Name,
        Args = ModelZoo.ResolveArgs(Architecture, Args),
    };

    /// <summary>Throws a <see cref="Core.LabException"/> naming the first bad setting.</summary>
    public void Validate()
    {
        ModelZoo.ResolveArgs(Architecture, Args);
        Training.Validate();
    }
}
