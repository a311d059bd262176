using SkiaSharp;
using Svg.Skia;
using Svg.Skia.TypefaceProviders;

namespace RobustnessLab.Reporting.Figures;

/// <summary>
/// Rasterises a figure at a chosen scale (2 gives a 2x-resolution PNG for print) with SkiaSharp: the images first,
/// each pixel a sharp block (nearest-neighbour sampling), then the figure's SVG (<see cref="FigureSvg"/>, without its
/// images) over them through Svg.Skia, with the embedded DejaVu Sans answering every font request. Same figure, same
/// bytes.
/// </summary>
public static class FigurePng
{
    public const double MaxScale = 8;

    public static byte[] Render(Figure figure, double scale = 1)
    {
        if (!(scale > 0 && scale <= MaxScale)) throw new ArgumentOutOfRangeException(nameof(scale), $"figure scale must be in (0, {MaxScale}], got {scale}");
        var (width, height) = PixelSize(figure, scale);
        var svg = FigureSvg.Render(figure, withoutImages: true);
        using var document = new SKSvg();
        document.Settings.TypefaceProviders = new List<ITypefaceProvider> { new FigureFont.Provider() };
        using var picture = document.FromSvg(svg) ?? throw new InvalidOperationException($"figure '{figure.Title}': the SVG renderer produced nothing");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"figure '{figure.Title}': cannot allocate a {width}x{height} surface");
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.Scale((float)scale);
        foreach (var (raster, dx, dy) in Rasters(figure.Elements, 0, 0))
        {
            using var data = SKData.CreateCopy(FigureSvg.PngBytes(raster.Image));
            using var image = SKImage.FromEncodedData(data) ?? throw new InvalidOperationException($"figure '{figure.Title}': an embedded image could not be decoded");
            surface.Canvas.DrawImage(image, SKRect.Create((float)(raster.X + dx), (float)(raster.Y + dy), (float)raster.Width, (float)raster.Height),
                new SKSamplingOptions(SKFilterMode.Nearest, SKMipmapMode.None));
        }
        surface.Canvas.DrawPicture(picture);
        surface.Canvas.Flush();
        using var snapshot = surface.Snapshot();
        using var png = snapshot.Encode(SKEncodedImageFormat.Png, 100) ?? throw new InvalidOperationException($"figure '{figure.Title}': PNG encoding failed");
        return png.ToArray();
    }

    /// <summary>Every image of the figure with the offset of the groups it sits in.</summary>
    private static IEnumerable<(FigureRaster Raster, double Dx, double Dy)> Rasters(IEnumerable<FigureElement> elements, double dx, double dy)
    {
        foreach (var e in elements)
        {
            if (e is FigureRaster r) yield return (r, dx, dy);
            else if (e is FigureGroup g)
                foreach (var inner in Rasters(g.Elements, dx + g.Dx, dy + g.Dy)) yield return inner;
        }
    }

    /// <summary>The PNG's size in pixels at a scale: the figure's CSS size times the scale, rounded up.</summary>
    public static (int Width, int Height) PixelSize(Figure figure, double scale) =>
        ((int)Math.Ceiling(figure.Width * scale - 1e-9), (int)Math.Ceiling(figure.Height * scale - 1e-9));
}
