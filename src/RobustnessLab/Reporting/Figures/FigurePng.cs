using SkiaSharp;
using Svg.Skia;
using Svg.Skia.TypefaceProviders;

namespace RobustnessLab.Reporting.Figures;

/// <summary>
/// Rasterises a figure's SVG (<see cref="FigureSvg"/>) with Svg.Skia and SkiaSharp at a chosen scale (2 gives a
/// 2x-resolution PNG for print), with the embedded DejaVu Sans answering every font request. Same figure, same bytes.
/// </summary>
public static class FigurePng
{
    public const double MaxScale = 8;

    public static byte[] Render(Figure figure, double scale = 1)
    {
        if (!(scale > 0 && scale <= MaxScale)) throw new ArgumentOutOfRangeException(nameof(scale), $"figure scale must be in (0, {MaxScale}], got {scale}");
        var (width, height) = PixelSize(figure, scale);
        var svg = FigureSvg.Render(figure, scale);
        using var document = new SKSvg();
        document.Settings.TypefaceProviders = new List<ITypefaceProvider> { new FigureFont.Provider() };
        using var picture = document.FromSvg(svg) ?? throw new InvalidOperationException($"figure '{figure.Title}': the SVG renderer produced nothing");
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"figure '{figure.Title}': cannot allocate a {width}x{height} surface");
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.Scale((float)scale);
        surface.Canvas.DrawPicture(picture);
        surface.Canvas.Flush();
        using var image = surface.Snapshot();
        using var png = image.Encode(SKEncodedImageFormat.Png, 100) ?? throw new InvalidOperationException($"figure '{figure.Title}': PNG encoding failed");
        return png.ToArray();
    }

    /// <summary>The PNG's size in pixels at a scale: the figure's CSS size times the scale, rounded up.</summary>
    public static (int Width, int Height) PixelSize(Figure figure, double scale) =>
        ((int)Math.Ceiling(figure.Width * scale - 1e-9), (int)Math.Ceiling(figure.Height * scale - 1e-9));
}
