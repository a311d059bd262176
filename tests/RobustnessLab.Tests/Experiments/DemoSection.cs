using System.Text.Json.Serialization;
using RobustnessLab.Experiments.Config;

namespace RobustnessLab.Tests.Experiments;

/// <summary>Section of the test-only <see cref="DemoStage"/>.</summary>
public sealed record DemoSection : IConfigSection
{
    [JsonPropertyName("images")] public int Images { get; init; } = 2;
    [JsonPropertyName("fail")] public bool Fail { get; init; }
    [JsonPropertyName("label")] public string Label { get; init; } = "demo";

    public void Validate(ConfigValidator v) => v.NonNegative("images", Images);
}
