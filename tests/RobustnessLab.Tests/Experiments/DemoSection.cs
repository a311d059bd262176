using System.Text.Json.Serialization;
using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Tests.Experiments;

/// <summary>Section of the test-only <see cref="DemoStage"/>.</summary>
public sealed record DemoSection : IConfigSection
{
    [JsonPropertyName("images")] public int Images { get; init; } = 2;
    [JsonPropertyName("fail")] public bool Fail { get; init; }
    [JsonPropertyName("label")] public string Label { get; init; } = "demo";
    /// <summary>Wait for cancellation, then return normally with what it has, as a fooling search does on Ctrl-C.</summary>
    [JsonPropertyName("stop_early")] public bool StopEarly { get; init; }

    public void Validate(ConfigValidator v) => v.NonNegative("images", Images);
}
