using RobustnessLab.Core;

namespace RobustnessLab.Reporting.Figures;

/// <summary>
/// A figure as data: a page of <see cref="Width"/> x <see cref="Height"/> CSS pixels holding images, labels and lines.
/// <see cref="FigureSvg"/> renders it to SVG (text as text, images embedded as PNG), <see cref="FigurePng"/> to PNG at a
/// chosen scale through the same SVG; <see cref="FigureWriter"/> writes the formats a run asks for.
/// </summary>
public sealed record Figure(double Width, double Height, string Title, IReadOnlyList<FigureElement> Elements)
{
    /// <summary>What the figure shows, for screen readers (the SVG's desc).</summary>
    public string? Description { get; init; }
}

/// <summary>One thing drawn on a <see cref="Figure"/>; coordinates in CSS pixels from the top-left corner.</summary>
public abstract record FigureElement;

/// <summary>
/// An image drawn into a box, each pixel a sharp square (no smoothing: a 28x28 input shown at 224 px stays 28x28
/// squares). <paramref name="Frame"/> draws a one-pixel frame around it.
/// </summary>
public sealed record FigureRaster(ImageData Image, double X, double Y, double Width, double Height, string? Frame = null) : FigureElement;

/// <summary>
/// A label. With <paramref name="Math"/> set, single Latin letters (variables: x, y, J, t) are set in italic, as in
/// typeset mathematics; Greek letters, operators and function names (sign, log) stay upright.
/// </summary>
public sealed record FigureText(string Text, double X, double Y, double Size = FigureStyle.Body, TextAnchor Anchor = TextAnchor.Start,
    string Colour = FigureStyle.Ink, bool Bold = false, bool Math = false, double Rotate = 0) : FigureElement;

public enum TextAnchor { Start, Middle, End }

public sealed record FigureLine(double X1, double Y1, double X2, double Y2, string Colour = FigureStyle.Ink, double StrokeWidth = 1, bool Dashed = false) : FigureElement;

public sealed record FigurePolyline(IReadOnlyList<(double X, double Y)> Points, string Colour, double StrokeWidth = 2, bool Dashed = false) : FigureElement;

public sealed record FigureRect(double X, double Y, double Width, double Height, string? Fill, string? Stroke = null) : FigureElement;

/// <summary>A data marker (circle, square, diamond, triangle) centred on (X, Y); the tooltip shows on hover in a browser.</summary>
public sealed record FigureMarker(string Shape, double X, double Y, string Colour, double Radius = 4, string? Tooltip = null) : FigureElement;

/// <summary>How an SVG sits inside an HTML page: its CSS class and element id (title and desc get id-t and id-d).</summary>
public sealed record SvgInline(string CssClass, string Id);

/// <summary>Elements shifted by (Dx, Dy): how sheets are placed side by side.</summary>
public sealed record FigureGroup(double Dx, double Dy, IReadOnlyList<FigureElement> Elements) : FigureElement;
