using System.Globalization;
using System.Text;
using RobustnessLab.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace RobustnessLab.Reporting.Figures;

/// <summary>
/// Renders a <see cref="Figure"/> as a standalone SVG document: labels as &lt;text&gt; in DejaVu Sans, images embedded
/// as lossless 8-bit PNG data URIs drawn with <c>image-rendering: pixelated</c>. The output is a pure function of the
/// figure (no dates, no ids from counters), so the same figure gives the same bytes.
/// </summary>
public static class FigureSvg
{
    /// <summary>
    /// The SVG text. <paramref name="withoutImages"/> is for <see cref="FigurePng"/>, which draws the images itself
    /// with nearest-neighbour sampling (the SVG rasteriser smooths enlarged images) and then this SVG over them, so it
    /// leaves out the images and the white page under them.
    /// </summary>
    /// <param name="inline">For an SVG inside an HTML page: no fixed size (the page's CSS sizes it), a class and ids.</param>
    public static string Render(Figure figure, bool withoutImages = false, SvgInline? inline = null)
    {
        var sb = new StringBuilder("<svg ");
        if (inline is null) sb.Append("version=\"1.1\" width=\"").Append(F(figure.Width)).Append("\" height=\"").Append(F(figure.Height)).Append("\" ");
        else
        {
            string id = Html.Escape(inline.Id);
            sb.Append("class=\"").Append(Html.Escape(inline.CssClass)).Append("\" id=\"").Append(id).Append("\" aria-labelledby=\"").Append(id).Append("-t")
                .Append(figure.Description is null ? "" : $" {id}-d").Append("\" ");
        }
        sb.Append("xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ").Append(F(figure.Width)).Append(' ').Append(F(figure.Height))
            .Append("\" font-family=\"'").Append(FigureStyle.FontFamily).Append("', Verdana, sans-serif\" role=\"img\">\n");
        string Id(string suffix) => inline is null ? "" : $" id=\"{Html.Escape(inline.Id)}-{suffix}\"";
        sb.Append("<title").Append(Id("t")).Append('>').Append(Html.Escape(figure.Title)).Append("</title>\n");
        if (figure.Description is not null) sb.Append("<desc").Append(Id("d")).Append('>').Append(Html.Escape(figure.Description)).Append("</desc>\n");
        if (!withoutImages) sb.Append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
        foreach (var e in figure.Elements) Element(sb, e, withoutImages);
        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static void Element(StringBuilder sb, FigureElement element, bool withoutImages)
    {
        switch (element)
        {
            case FigureRaster r:
                if (!withoutImages)
                    sb.Append("<image x=\"").Append(F(r.X)).Append("\" y=\"").Append(F(r.Y)).Append("\" width=\"").Append(F(r.Width)).Append("\" height=\"").Append(F(r.Height))
                        .Append("\" preserveAspectRatio=\"none\" image-rendering=\"pixelated\" style=\"image-rendering:pixelated\" href=\"data:image/png;base64,")
                        .Append(Convert.ToBase64String(PngBytes(r.Image))).Append("\"/>\n");
                if (r.Frame is not null)
                    sb.Append("<rect x=\"").Append(F(r.X - 0.5)).Append("\" y=\"").Append(F(r.Y - 0.5)).Append("\" width=\"").Append(F(r.Width + 1)).Append("\" height=\"").Append(F(r.Height + 1))
                        .Append("\" fill=\"none\" stroke=\"").Append(r.Frame).Append("\" stroke-width=\"1\"/>\n");
                break;
            case FigureText t:
                sb.Append("<text x=\"").Append(F(t.X)).Append("\" y=\"").Append(F(t.Y)).Append("\" font-size=\"").Append(F(t.Size)).Append("\" fill=\"").Append(t.Colour).Append('"');
                if (t.Anchor != TextAnchor.Start) sb.Append(" text-anchor=\"").Append(t.Anchor == TextAnchor.Middle ? "middle" : "end").Append('"');
                if (t.Bold) sb.Append(" font-weight=\"bold\"");
                if (t.Rotate != 0) sb.Append(" transform=\"rotate(").Append(F(t.Rotate)).Append(' ').Append(F(t.X)).Append(' ').Append(F(t.Y)).Append(")\"");
                sb.Append('>');
                if (!t.Math) sb.Append(Html.Escape(t.Text));
                else
                    foreach (var (text, italic) in FigureFont.MathRuns(t.Text))
                        sb.Append(italic ? "<tspan font-style=\"italic\">" + Html.Escape(text) + "</tspan>" : Html.Escape(text));
                sb.Append("</text>\n");
                break;
            case FigureLine l:
                sb.Append("<line x1=\"").Append(F(l.X1)).Append("\" y1=\"").Append(F(l.Y1)).Append("\" x2=\"").Append(F(l.X2)).Append("\" y2=\"").Append(F(l.Y2))
                    .Append("\" stroke=\"").Append(l.Colour).Append("\" stroke-width=\"").Append(F(l.StrokeWidth)).Append('"')
                    .Append(l.Dashed ? " stroke-dasharray=\"4 3\"" : "").Append("/>\n");
                break;
            case FigurePolyline p when p.Points.Count > 1:
                sb.Append("<polyline fill=\"none\" stroke=\"").Append(p.Colour).Append("\" stroke-width=\"").Append(F(p.StrokeWidth)).Append("\" stroke-linejoin=\"round\"")
                    .Append(p.Dashed ? " stroke-dasharray=\"6 3\"" : "").Append(" points=\"")
                    .Append(string.Join(" ", p.Points.Select(q => F(q.X) + "," + F(q.Y)))).Append("\"/>\n");
                break;
            case FigurePolyline:
                break;
            case FigureRect r:
                sb.Append("<rect x=\"").Append(F(r.X)).Append("\" y=\"").Append(F(r.Y)).Append("\" width=\"").Append(F(r.Width)).Append("\" height=\"").Append(F(r.Height))
                    .Append("\" fill=\"").Append(r.Fill ?? "none").Append('"');
                if (r.Stroke is not null) sb.Append(" stroke=\"").Append(r.Stroke).Append("\" stroke-width=\"1\"");
                sb.Append("/>\n");
                break;
            case FigureMarker m when m.Tooltip is not null:
                sb.Append("<g>").Append(Marker(m)).Append("<title>").Append(Html.Escape(m.Tooltip)).Append("</title></g>\n");
                break;
            case FigureMarker m:
                sb.Append(Marker(m)).Append('\n');
                break;
            case FigureGroup g:
                sb.Append("<g transform=\"translate(").Append(F(g.Dx)).Append(' ').Append(F(g.Dy)).Append(")\">\n");
                foreach (var child in g.Elements) Element(sb, child, withoutImages);
                sb.Append("</g>\n");
                break;
            default:
                throw new ArgumentException($"no SVG form for {element.GetType().Name}");
        }
    }

    private static string Marker(FigureMarker m)
    {
        double x = m.X, y = m.Y, r = m.Radius;
        return m.Shape switch
        {
            "square" => $"<rect x=\"{F(x - r)}\" y=\"{F(y - r)}\" width=\"{F(2 * r)}\" height=\"{F(2 * r)}\" fill=\"{m.Colour}\"/>",
            "diamond" => $"<polygon points=\"{F(x)},{F(y - r * 1.25)} {F(x + r * 1.25)},{F(y)} {F(x)},{F(y + r * 1.25)} {F(x - r * 1.25)},{F(y)}\" fill=\"{m.Colour}\"/>",
            "triangle" => $"<polygon points=\"{F(x)},{F(y - r * 1.25)} {F(x + r * 1.25)},{F(y + r)} {F(x - r * 1.25)},{F(y + r)}\" fill=\"{m.Colour}\"/>",
            _ => $"<circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"{F(r)}\" fill=\"{m.Colour}\"/>",
        };
    }

    /// <summary>8-bit PNG of an image (greyscale or RGB), each pixel repeated k x k times.</summary>
    public static byte[] PngBytes(ImageData image, int k = 1)
    {
        if (image.Channels is not (1 or 3)) throw new ArgumentException($"can draw 1- or 3-channel images, got {image.Channels}");
        int w = image.Width * k, h = image.Height * k;
        using var ms = new MemoryStream();
        if (image.Channels == 1)
        {
            var px = new L8[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    px[y * w + x] = new L8(ToByte(image[0, y / k, x / k]));
            using var img = Image.LoadPixelData(px, w, h);
            img.SaveAsPng(ms, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit8 });
        }
        else
        {
            var px = new Rgb24[w * h];
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    px[y * w + x] = new Rgb24(ToByte(image[0, y / k, x / k]), ToByte(image[1, y / k, x / k]), ToByte(image[2, y / k, x / k]));
            using var img = Image.LoadPixelData(px, w, h);
            img.SaveAsPng(ms, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        }
        return ms.ToArray();
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);

    internal static string F(double v) => Math.Round(v, 3).ToString("0.###", CultureInfo.InvariantCulture);
}
