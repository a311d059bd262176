namespace RobustnessLab.Reporting.Figures;

/// <summary>
/// The look shared by every figure, matching the gallery's SVG charts: one typeface (DejaVu Sans, embedded), a few
/// sizes, Okabe and Ito's colour-blind-safe palette, green for a correct prediction and red for a flipped one.
/// </summary>
public static class FigureStyle
{
    public const string FontFamily = "DejaVu Sans";
    public const double Title = 15, Body = 13, Small = 11.5, Tick = 12, Operator = 26;
    public const string Ink = "#222222", Muted = "#5f6368", Frame = "#c8c8c8", Grid = "#ececec", Axis = "#444444";
    public const string Correct = "#1e7b34", Wrong = "#c0182a";

    /// <summary>Okabe and Ito's palette (as the gallery's charts), with a dash as a second cue after eight series.</summary>
    public static readonly IReadOnlyList<string> Palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];

    public static readonly IReadOnlyList<string> Markers = ["circle", "square", "diamond", "triangle"];
}
