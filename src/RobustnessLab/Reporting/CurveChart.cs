namespace RobustnessLab.Reporting;

/// <summary>A line chart (robustness curve, training curve) the gallery draws as inline SVG.</summary>
public sealed record CurveChart(string Title, string XLabel, string YLabel, IReadOnlyList<CurveSeries> Series,
    double? YMin = null, double? YMax = null, string? Caption = null, bool YPercent = false)
{
    /// <summary>The chart's figure files (SVG first, then PNG), relative to the run folder; set by the runner.</summary>
    public IReadOnlyList<string>? Files { get; init; }
}
