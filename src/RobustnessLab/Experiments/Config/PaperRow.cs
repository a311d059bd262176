using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using RobustnessLab.Experiments.Gates;

namespace RobustnessLab.Experiments.Config;

/// <summary>
/// One entry of <c>paper:</c>: a published figure beside the lab's value for it, read from this run's results by a
/// path in the regression gate's syntax, e.g. <c>attacks[model=softmax,attack=fgsm,eps=0.25].success_rate_all</c>.
/// </summary>
public sealed record PaperRow : IConfigSection
{
    public static readonly IReadOnlyList<string> Formats = ["percent", "number", "integer"];

    [Required, JsonPropertyName("figure"), Description("what the number is, in the paper's words")]
    public string Figure { get; init; } = "";

    [Required, JsonPropertyName("paper"), Description("the published value (fractions for percentages)")]
    public double Paper { get; init; }

    [Required, JsonPropertyName("lab"), Description("path of the lab's value in this run's results, e.g. attacks[model=m,attack=fgsm,eps=0.25].success_rate_all")]
    public string Lab { get; init; } = "";

    [JsonPropertyName("source"), Description("where the paper reports it, e.g. 'Goodfellow 2014, section 6'")]
    public string? Source { get; init; }

    [JsonPropertyName("format"), Description("percent (default), number or integer")]
    public string Format { get; init; } = "percent";

    [JsonPropertyName("note"), Description("how the lab's setting differs from the paper's")]
    public string? Note { get; init; }

    public void Validate(ConfigValidator v)
    {
        if (string.IsNullOrWhiteSpace(Figure)) v.Error("figure", "must say what the number is");
        if (!double.IsFinite(Paper)) v.Error("paper", "must be a finite number");
        v.OneOf("format", Format, Formats);
        try { JsonSelector.Steps(Lab); }
        catch (FormatException e) { v.Error("lab", e.Message); }
        if (string.IsNullOrWhiteSpace(Lab)) v.Error("lab", "must be a path into the results, e.g. eval.standard.accuracy");
    }
}
