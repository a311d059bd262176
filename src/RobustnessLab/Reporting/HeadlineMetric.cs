namespace RobustnessLab.Reporting;

/// <summary>A number for the gallery's summary cards: "clean accuracy (standard) 91.2%".</summary>
/// <param name="Label">What the number is, in the field's words.</param>
/// <param name="Value">The value (a fraction for percentages).</param>
/// <param name="Format">"percent", "number" or "integer".</param>
/// <param name="Model">The model id it belongs to, if any.</param>
/// <param name="Note">A short qualifier ("over initially-correct samples", "eps = 0.1").</param>
public sealed record HeadlineMetric(string Label, double Value, string Format = "percent", string? Model = null, string? Note = null);
