using System.ComponentModel;
using System.Text.Json.Serialization;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// <c>dumbbell:</c> the Inceptionism dumbbell-with-arm experiment (Mordvintsev, Olah, Tyka 2015): train one model on
/// scenes where the class almost always co-occurs with an arm (biased) and one where it does not (debiased), then
/// visualise the class for both and probe how much the arm alone drives the logit.
/// </summary>
public sealed record DumbbellSection : IConfigSection
{
    [JsonPropertyName("dataset"), Description("scene dataset (gym)")] public string Dataset { get; init; } = "gym";
    [JsonPropertyName("class"), Description("the class to visualise (dumbbell)")] public string Class { get; init; } = "dumbbell";
    [JsonPropertyName("biased_arm_probability"), Description("P(arm | class) in the biased training set (0.95)")] public double BiasedArmProbability { get; init; } = 0.95;
    [JsonPropertyName("debiased_arm_probability"), Description("P(arm | class) in the debiased training set (0.5)")] public double DebiasedArmProbability { get; init; } = 0.5;
    [JsonPropertyName("architecture"), Description("model trained on each set (cnn)")] public string Architecture { get; init; } = "cnn";
    [JsonPropertyName("epochs"), Description("training epochs per model (3)")] public int Epochs { get; init; } = 3;
    [JsonPropertyName("train_size"), Description("training scenes per set (6000)")] public int TrainSize { get; init; } = 6000;
    [JsonPropertyName("steps"), Description("visualisation steps (512)")] public int Steps { get; init; } = 512;
    [JsonPropertyName("samples"), Description("visualisations per model (4)")] public int Samples { get; init; } = 4;
    [JsonPropertyName("options"), Description("further settings (numbers)")] public IReadOnlyDictionary<string, double>? Options { get; init; }

    public void Validate(ConfigValidator v)
    {
        v.Range("biased_arm_probability", BiasedArmProbability, 0, 1);
        v.Range("debiased_arm_probability", DebiasedArmProbability, 0, 1);
        if (BiasedArmProbability <= DebiasedArmProbability)
            v.Error("biased_arm_probability", $"must exceed debiased_arm_probability ({DebiasedArmProbability}) for the experiment to show a bias");
        if (!Models.ModelZoo.Names.Contains(Architecture, StringComparer.OrdinalIgnoreCase))
            v.Error("architecture", $"unknown architecture '{Architecture}'{DidYouMean.Hint(Architecture, Models.ModelZoo.Names.ToList())}");
        v.Positive("epochs", Epochs);
        v.Positive("train_size", TrainSize);
        v.Positive("steps", Steps);
        v.Positive("samples", Samples);
    }
}
