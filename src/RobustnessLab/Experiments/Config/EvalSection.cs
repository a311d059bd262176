using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RobustnessLab.Experiments.Config;

/// <summary><c>eval:</c> clean test accuracy of each model, overall and per class.</summary>
public sealed record EvalSection : IConfigSection
{
    [JsonPropertyName("models"), Description("model ids to evaluate (default: all)")]
    public IReadOnlyList<string>? Models { get; init; }

    [JsonPropertyName("samples"), Description("first N test rows (0: the whole test set)")]
    public int Samples { get; init; }

    [JsonPropertyName("batch_size"), Description("evaluation batch size (1000)")]
    public int BatchSize { get; init; } = 1000;

    public void Validate(ConfigValidator v)
    {
        v.RequireModels();
        v.ModelRefs("models", Models);
        v.NonNegative("samples", Samples);
        v.Positive("batch_size", BatchSize);
    }
}
