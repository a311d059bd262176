using RobustnessLab.Core;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// A grid of images with optional captions under each and an optional title, as a <see cref="Figure"/>.
/// Used for dataset previews and visualisation sheets.
/// </summary>
public static class ContactSheet
{
    public const double Gap = 6;
    private const double CaptionSize = FigureStyle.Small, MinCaptionSize = 9, CaptionLine = 15, TitleLine = 28;

    /// <summary>Draws the images in rows of <paramref name="columns"/>, each pixel as a scale x scale square.</summary>
    public static Figure Draw(IReadOnlyList<ImageData> images, int columns, int scale = 1, IReadOnlyList<string>? captions = null, string? title = null)
    {
        if (images.Count == 0) throw new ArgumentException("a contact sheet needs at least one image", nameof(images));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns));
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale));
        columns = Math.Min(columns, images.Count);
        int rows = (images.Count + columns - 1) / columns;
        double cellW = images.Max(i => i.Width) * scale, cellH = images.Max(i => i.Height) * scale;
        double captionH = captions is null ? 0 : CaptionLine + 2;
        double titleH = title is null ? 0 : TitleLine;
        double width = Math.Max(columns * (cellW + Gap) + Gap, title is null ? 0 : FigureFont.Measure(title, FigureStyle.Title, bold: true) + 2 * Gap);
        double height = titleH + rows * (cellH + captionH + Gap) + Gap;
        var elements = new List<FigureElement>();
        if (title is not null) elements.Add(new FigureText(title, Gap, 20, FigureStyle.Title, Bold: true));
        // One caption size for the whole sheet: the largest (down to 9 px) at which every caption fits its cell.
        double captionSize = captions is null ? CaptionSize : CaptionSizeFor(captions, cellW);
        for (int i = 0; i < images.Count; i++)
        {
            double x = Gap + (i % columns) * (cellW + Gap), y = titleH + Gap + (i / columns) * (cellH + captionH + Gap);
            var img = images[i];
            elements.Add(new FigureRaster(img, x, y, img.Width * scale, img.Height * scale));
            if (captions is not null && i < captions.Count && captions[i].Length > 0)
            {
                elements.Add(new FigureText(FigureFont.Fit(captions[i], cellW, captionSize), x, y + cellH + CaptionLine - 2, captionSize, Colour: FigureStyle.Ink));
            }
        }
        return new Figure(Math.Ceiling(width), Math.Ceiling(height), title ?? "contact sheet", elements);
    }

    /// <summary>The largest caption size, from 11.5 px down to 9 px, at which every caption fits the width.</summary>
    public static double CaptionSizeFor(IReadOnlyList<string> captions, double width)
    {
        for (double size = CaptionSize; size > MinCaptionSize; size -= 0.5)
            if (captions.All(c => FigureFont.Measure(c, size) <= width)) return size;
        return MinCaptionSize;
    }

    /// <summary>A caption at the largest size down to 9 px that fits the cell, else cut with an ellipsis.</summary>
    public static (string Text, double Size) Caption(string text, double width)
    {
        for (double size = CaptionSize; size >= MinCaptionSize; size -= 0.5)
            if (FigureFont.Measure(text, size) <= width) return (text, size);
        return (FigureFont.Fit(text, width, MinCaptionSize), MinCaptionSize);
    }

    /// <summary>Places sheets side by side (top-aligned) with a gap, e.g. biased beside debiased.</summary>
    public static Figure SideBySide(IReadOnlyList<Figure> sheets, double gap = 16, string? title = null)
    {
        if (sheets.Count == 0) throw new ArgumentException("nothing to place side by side", nameof(sheets));
        var elements = new List<FigureElement>();
        double x = 0;
        foreach (var s in sheets)
        {
            elements.Add(new FigureGroup(x, 0, s.Elements));
            x += s.Width + gap;
        }
        return new Figure(x - gap, sheets.Max(s => s.Height), title ?? string.Join(" | ", sheets.Select(s => s.Title)), elements);
    }
}
