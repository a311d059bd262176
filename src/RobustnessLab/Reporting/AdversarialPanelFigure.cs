using System.Globalization;
using RobustnessLab.Evaluation;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// An <see cref="AdversarialPanel"/> as a figure in the layout of Goodfellow, Shlens, Szegedy 2014 (arXiv:1412.6572,
/// figure 1): x + ε · direction = x′, each image with its prediction underneath (green when right, red when the attack
/// flipped it), plus the predictions after 8-bit rounding and of the saved file, which an attack can lose.
/// </summary>
public static class AdversarialPanelFigure
{
    private const double Tile = 224, Gap = 150, Line = 20;

    public static Figure Build(AdversarialPanel p)
    {
        var img = p.CleanImage;
        int scale = Math.Max(1, (int)(Tile / Math.Max(img.Height, img.Width)));
        double tw = img.Width * scale, th = img.Height * scale;
        var eps = Eps(p.Eps);
        // Captions are centred under each image and may be as wide as image + gap: half a gap of room on each side.
        double side = Gap / 2, room = tw + Gap - 12;
        double width = side * 2 + tw * 3 + Gap * 2;
        double top = 50;
        double y = top + th + 26;
        double height = y + Line * 3 + 18;
        double[] xs = [side, side + tw + Gap, side + 2 * (tw + Gap)];
        var e = new List<FigureElement>
        {
            new FigureText($"{p.Attack}, ε = {eps}, test image {p.Index}", side, 28, FigureStyle.Title + 1, Bold: true),
            new FigureRaster(img, xs[0], top, tw, th, FigureStyle.Frame),
            new FigureRaster(p.DirectionImage.SignedToDisplay(1f), xs[1], top, tw, th, FigureStyle.Frame),
            new FigureRaster(p.AdversarialImage, xs[2], top, tw, th, FigureStyle.Frame),
        };
        double mid = top + th / 2 + FigureStyle.Operator * 0.35;
        e.Add(new FigureText($"+ {eps} ×", xs[0] + tw + Gap / 2, mid, FigureStyle.Operator, TextAnchor.Middle));
        e.Add(new FigureText("=", xs[1] + tw + Gap / 2, mid, FigureStyle.Operator, TextAnchor.Middle));

        bool fgsmLike = !p.DirectionLabel.StartsWith('(');
        MathLabel(e, "x", xs[0] + tw / 2, y, room);
        Caption(e, $"true: {p.TrueLabel}", xs[0] + tw / 2, y + Line, room, FigureStyle.Ink);
        Caption(e, Show(p.Clean), xs[0] + tw / 2, y + 2 * Line, room, p.Clean.Label == p.TrueLabel ? FigureStyle.Correct : FigureStyle.Wrong, bold: true);
        MathLabel(e, p.DirectionLabel, xs[1] + tw / 2, y, room);
        Caption(e, fgsmLike ? "perturbation direction" : "perturbation / ε", xs[1] + tw / 2, y + Line, room, FigureStyle.Muted);
        MathLabel(e, fgsmLike ? $"x′ = x + ε · {p.DirectionLabel}" : "x′ = x + δ,  ‖δ‖∞ ≤ ε", xs[2] + tw / 2, y, room);
        Caption(e, Show(p.Adversarial), xs[2] + tw / 2, y + Line, room, p.Success ? FigureStyle.Wrong : FigureStyle.Correct, bold: true);
        Caption(e, $"8-bit: {Show(p.Rounded8Bit)}", xs[2] + tw / 2, y + 2 * Line, room, FigureStyle.Muted);
        if (p.Saved is { } saved) Caption(e, $"saved: {Show(saved)}", xs[2] + tw / 2, y + 3 * Line, room, FigureStyle.Muted);
        return new Figure(width, height, $"{p.Attack} at ε = {eps} on test image {p.Index}", e)
        {
            Description = $"{Show(p.Clean)} plus {eps} times {p.DirectionLabel} gives {Show(p.Adversarial)}" +
                          $"{(p.Success ? "" : " (attack failed)")}; after 8-bit rounding {Show(p.Rounded8Bit)}" +
                          (p.Saved is { } s ? $"; the saved file {Show(s)}" : ""),
        };
    }

    /// <summary>"trouser 97.3%".</summary>
    public static string Show(Prediction p) => $"{p.Label} {(p.Confidence * 100).ToString("F1", CultureInfo.InvariantCulture)}%";

    private static string Eps(double eps) => eps.ToString("0.####", CultureInfo.InvariantCulture);

    private static void Caption(List<FigureElement> e, string text, double cx, double y, double room, string colour, bool bold = false)
    {
        double size = FigureStyle.Body + 1;
        while (size > 10 && FigureFont.Measure(text, size, bold) > room) size -= 0.5;
        e.Add(new FigureText(FigureFont.Fit(text, room, size, bold), cx, y, size, TextAnchor.Middle, colour, bold));
    }

    private static void MathLabel(List<FigureElement> e, string text, double cx, double y, double room)
    {
        double size = FigureStyle.Body + 2;
        while (size > 10 && FigureFont.Measure(text, size) > room) size -= 0.5;
        e.Add(new FigureText(text, cx, y, size, TextAnchor.Middle, FigureStyle.Ink, Math: true));
    }
}
