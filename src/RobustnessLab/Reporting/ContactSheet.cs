using RobustnessLab.Core;

namespace RobustnessLab.Reporting;

/// <summary>
/// A grid of images with optional captions under each and an optional title, drawn on an <see cref="ImageCanvas"/>.
/// Used for dataset previews and visualisation sheets.
/// </summary>
public static class ContactSheet
{
    public const int Gap = 4;

    /// <summary>Draws the images in rows of <paramref name="columns"/>, each pixel as a scale x scale square.</summary>
    public static ImageCanvas Draw(IReadOnlyList<ImageData> images, int columns, int scale = 1, IReadOnlyList<string>? captions = null, string? title = null)
    {
        if (images.Count == 0) throw new ArgumentException("a contact sheet needs at least one image", nameof(images));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns));
        columns = Math.Min(columns, images.Count);
        int rows = (images.Count + columns - 1) / columns;
        int cellW = images.Max(i => i.Width) * scale, cellH = images.Max(i => i.Height) * scale;
        int captionH = captions is null ? 0 : ImageCanvas.TextHeight() + 3;
        int titleH = title is null ? 0 : ImageCanvas.TextHeight(2) + 2 * Gap;
        int width = Math.Max(columns * (cellW + Gap) + Gap, title is null ? 0 : ImageCanvas.TextWidth(title, 2) + 2 * Gap);
        var canvas = new ImageCanvas(width, titleH + rows * (cellH + captionH + Gap) + Gap);
        if (title is not null) canvas.DrawText(title, Gap, Gap, Rgb.Black, 2);
        for (int i = 0; i < images.Count; i++)
        {
            int x = Gap + (i % columns) * (cellW + Gap), y = titleH + Gap + (i / columns) * (cellH + captionH + Gap);
            canvas.Paste(images[i], x, y, scale);
            if (captions is not null && i < captions.Count)
                canvas.DrawText(Fit(captions[i], cellW), x, y + cellH + 2, Rgb.Black);
        }
        return canvas;
    }

    /// <summary>Shortens a caption to fit a width (1x font).</summary>
    public static string Fit(string text, int width)
    {
        while (text.Length > 1 && ImageCanvas.TextWidth(text) > width) text = text[..^1];
        return text;
    }

    /// <summary>Places sheets side by side (top-aligned) with a gap, e.g. biased beside debiased.</summary>
    public static ImageCanvas SideBySide(IReadOnlyList<ImageCanvas> sheets, int gap = 16)
    {
        int width = sheets.Sum(s => s.Width) + gap * (sheets.Count - 1), height = sheets.Max(s => s.Height);
        var canvas = new ImageCanvas(width, height);
        int x = 0;
        foreach (var s in sheets)
        {
            for (int yy = 0; yy < s.Height; yy++)
                for (int xx = 0; xx < s.Width; xx++)
                    canvas.SetPixel(x + xx, yy, s[xx, yy]);
            x += s.Width + gap;
        }
        return canvas;
    }
}
