using System.Text.RegularExpressions;
using SkiaSharp;
using Svg.Skia.TypefaceProviders;

namespace RobustnessLab.Reporting.Figures;

/// <summary>
/// DejaVu Sans (regular, bold, oblique; Bitstream Vera licence, see Fonts/LICENSE-DejaVu.txt), loaded from this
/// assembly's resources, never from the system: text is measured and rasterised the same on every machine.
/// </summary>
public static partial class FigureFont
{
    private static readonly Lazy<SKTypeface> RegularFace = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<SKTypeface> BoldFace = new(() => Load("DejaVuSans-Bold.ttf"));
    private static readonly Lazy<SKTypeface> ObliqueFace = new(() => Load("DejaVuSans-Oblique.ttf"));

    public static SKTypeface Regular => RegularFace.Value;
    public static SKTypeface Bold => BoldFace.Value;
    public static SKTypeface Oblique => ObliqueFace.Value;

    /// <summary>Advance width of a label in CSS pixels (oblique glyphs advance as the regular ones).</summary>
    public static double Measure(string text, double size, bool bold = false)
    {
        using var font = new SKFont(bold ? Bold : Regular, (float)size);
        return font.MeasureText(text);
    }

    /// <summary>The text cut (with an ellipsis) to fit a width.</summary>
    public static string Fit(string text, double width, double size, bool bold = false)
    {
        if (Measure(text, size, bold) <= width) return text;
        for (int n = text.Length - 1; n > 0; n--)
        {
            var cut = text[..n].TrimEnd() + "…";
            if (Measure(cut, size, bold) <= width) return cut;
        }
        return "…";
    }

    /// <summary>
    /// Splits a math label into runs, italic for variables: single Latin letters standing alone ("x", "J" in "J(θ")
    /// are italic, words ("sign", "log") upright, as in typeset mathematics.
    /// </summary>
    public static IReadOnlyList<(string Text, bool Italic)> MathRuns(string text)
    {
        var runs = new List<(string, bool)>();
        int last = 0;
        foreach (Match m in Variable().Matches(text))
        {
            if (m.Index > last) runs.Add((text[last..m.Index], false));
            runs.Add((m.Value, true));
            last = m.Index + m.Length;
        }
        if (last < text.Length) runs.Add((text[last..], false));
        return runs;
    }

    [GeneratedRegex(@"(?<![A-Za-z])[A-Za-z](?![A-Za-z])")]
    private static partial Regex Variable();

    private static SKTypeface Load(string file)
    {
        var name = "RobustnessLab.Fonts." + file;
        using var stream = typeof(FigureFont).Assembly.GetManifestResourceStream(name)
                           ?? throw new InvalidOperationException($"embedded font {name} is missing from the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return SKTypeface.FromData(SKData.CreateCopy(copy.ToArray()))
               ?? throw new InvalidOperationException($"embedded font {name} could not be read by SkiaSharp");
    }

    /// <summary>Answers every font request of the SVG rasteriser with the embedded faces, whatever family is named.</summary>
    internal sealed class Provider : ITypefaceProvider
    {
        public SKTypeface FromFamilyName(string fontFamily, SKFontStyleWeight fontWeight, SKFontStyleWidth fontWidth, SKFontStyleSlant fontStyle) =>
            (int)fontWeight >= (int)SKFontStyleWeight.SemiBold ? Bold
            : fontStyle != SKFontStyleSlant.Upright ? Oblique
            : Regular;
    }
}
