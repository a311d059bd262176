using System.Globalization;
using RobustnessLab.Evaluation;

namespace RobustnessLab.Reporting;

/// <summary>
/// Draws an <see cref="AdversarialPanel"/> in the layout of Goodfellow, Shlens, Szegedy 2014 (arXiv:1412.6572,
/// figure 1): x  + eps x direction  =  x', each with its prediction underneath (green when right, red when the attack
/// flipped it), plus the predictions after 8-bit rounding and of the saved file, which an attack can lose.
/// </summary>
public static class AdversarialPanelImage
{
    public static ImageCanvas Render(AdversarialPanel p)
    {
        var img = p.CleanImage;
        int scale = Math.Max(1, 224 / Math.Max(img.Height, img.Width));
        int tw = img.Width * scale, th = img.Height * scale;
        const int margin = 24, gap = 170, ts = 2, line = 20;
        var eps = p.Eps.ToString("0.####", CultureInfo.InvariantCulture);
        // Captions are centred under each image and may be as wide as image + gap: half a gap of room on each side.
        int side = gap / 2;
        int width = side * 2 + tw * 3 + gap * 2;
        int top = margin + line + 8;
        int height = top + th + 12 + line * 4 + margin;
        var c = new ImageCanvas(width, height);
        c.DrawText($"{p.Attack}, eps = {eps}, test image {p.Index}", side, margin, Rgb.Black, ts);
        int x0 = side, x1 = side + tw + gap, x2 = side + 2 * (tw + gap);
        c.Paste(img, x0, top, scale);
        c.Paste(p.DirectionImage.SignedToDisplay(1f), x1, top, scale);
        c.Paste(p.AdversarialImage, x2, top, scale);
        foreach (var x in new[] { x0, x1, x2 }) c.Outline(x - 1, top - 1, tw + 2, th + 2, Rgb.Grey);
        int mid = top + th / 2 - ImageCanvas.TextHeight(3) / 2;
        Centered(c, $"+ {eps} x", x0 + tw + gap / 2, mid, Rgb.Black, 3, gap);
        Centered(c, "=", x1 + tw + gap / 2, mid, Rgb.Black, 3, gap);
        int y = top + th + 12;
        Centered(c, "x", x0 + tw / 2, y, Rgb.Black, ts, tw + gap);
        Centered(c, $"true: {p.TrueLabel}", x0 + tw / 2, y + line, Rgb.Black, ts, tw + gap);
        Centered(c, Show(p.Clean), x0 + tw / 2, y + 2 * line, p.Clean.Label == p.TrueLabel ? Rgb.Green : Rgb.Red, ts, tw + gap);
        Centered(c, p.DirectionLabel, x1 + tw / 2, y, Rgb.Black, ts, tw + gap);
        Centered(c, $"eps = {eps}", x1 + tw / 2, y + line, Rgb.Black, ts, tw + gap);
        Centered(c, "x' = x + eps x ...", x2 + tw / 2, y, Rgb.Black, ts, tw + gap);
        Centered(c, Show(p.Adversarial), x2 + tw / 2, y + line, p.Success ? Rgb.Red : Rgb.Green, ts, tw + gap);
        Centered(c, $"8-bit: {Show(p.Rounded8Bit)}", x2 + tw / 2, y + 2 * line, Rgb.Grey, ts, tw + gap);
        if (p.Saved is { } saved) Centered(c, $"saved: {Show(saved)}", x2 + tw / 2, y + 3 * line, Rgb.Grey, ts, tw + gap);
        return c;
    }

    /// <summary>"trouser 97.3%".</summary>
    public static string Show(Prediction p) => $"{p.Label} {p.Confidence * 100:F1}%";

    /// <summary>Centred text, at a smaller scale when it would not fit the room.</summary>
    private static void Centered(ImageCanvas c, string text, int cx, int y, Rgb color, int scale, int room)
    {
        while (scale > 1 && ImageCanvas.TextWidth(text, scale) > room - 8) scale--;
        c.DrawTextCentered(text, cx, y, color, scale);
    }
}
