using RobustnessLab.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace RobustnessLab.Reporting;

/// <summary>
/// An RGB canvas for composing figures: paste images upscaled without smoothing (each model pixel stays a visible
/// square), draw labels with <see cref="BitmapFont"/>, save as PNG (lossless).
/// </summary>
public sealed class ImageCanvas
{
    private readonly byte[] rgb;

    public ImageCanvas(int width, int height, Rgb? background = null)
    {
        if (width <= 0 || height <= 0) throw new ArgumentOutOfRangeException(nameof(width), "canvas must be at least 1x1");
        Width = width;
        Height = height;
        rgb = new byte[width * height * 3];
        Fill(0, 0, width, height, background ?? Rgb.White);
    }

    public int Width { get; }
    public int Height { get; }

    public Rgb this[int x, int y]
    {
        get { int i = (y * Width + x) * 3; return new Rgb(rgb[i], rgb[i + 1], rgb[i + 2]); }
    }

    public void SetPixel(int x, int y, Rgb c)
    {
        if ((uint)x >= (uint)Width || (uint)y >= (uint)Height) return;
        int i = (y * Width + x) * 3;
        rgb[i] = c.R; rgb[i + 1] = c.G; rgb[i + 2] = c.B;
    }

    public void Fill(int x, int y, int w, int h, Rgb c)
    {
        for (int yy = Math.Max(0, y); yy < Math.Min(Height, y + h); yy++)
            for (int xx = Math.Max(0, x); xx < Math.Min(Width, x + w); xx++)
                SetPixel(xx, yy, c);
    }

    /// <summary>A one-pixel frame around a rectangle.</summary>
    public void Outline(int x, int y, int w, int h, Rgb c, int thickness = 1)
    {
        Fill(x, y, w, thickness, c);
        Fill(x, y + h - thickness, w, thickness, c);
        Fill(x, y, thickness, h, c);
        Fill(x + w - thickness, y, thickness, h, c);
    }

    /// <summary>Pastes an image with its top-left corner at (x, y), each pixel drawn as a scale x scale square.</summary>
    public void Paste(ImageData image, int x, int y, int scale = 1)
    {
        if (scale < 1) throw new ArgumentOutOfRangeException(nameof(scale));
        if (image.Channels is not (1 or 3)) throw new ArgumentException($"can draw 1- or 3-channel images, got {image.Channels}");
        for (int iy = 0; iy < image.Height; iy++)
            for (int ix = 0; ix < image.Width; ix++)
            {
                byte r, g, b;
                if (image.Channels == 1) r = g = b = ToByte(image[0, iy, ix]);
                else { r = ToByte(image[0, iy, ix]); g = ToByte(image[1, iy, ix]); b = ToByte(image[2, iy, ix]); }
                Fill(x + ix * scale, y + iy * scale, scale, scale, new Rgb(r, g, b));
            }
    }

    /// <summary>Draws text with the built-in 5x7 font; returns the width drawn in pixels.</summary>
    public int DrawText(string text, int x, int y, Rgb color, int scale = 1)
    {
        int cx = x;
        foreach (char ch in text)
        {
            for (int r = 0; r < BitmapFont.GlyphHeight; r++)
                for (int k = 0; k < BitmapFont.GlyphWidth; k++)
                    if (BitmapFont.Ink(ch, r, k)) Fill(cx + k * scale, y + r * scale, scale, scale, color);
            cx += BitmapFont.Advance * scale;
        }
        return cx - x;
    }

    /// <summary>Draws text centred horizontally on cx.</summary>
    public void DrawTextCentered(string text, int cx, int y, Rgb color, int scale = 1) =>
        DrawText(text, cx - BitmapFont.MeasureWidth(text, scale) / 2, y, color, scale);

    public static int TextWidth(string text, int scale = 1) => BitmapFont.MeasureWidth(text, scale);

    public static int TextHeight(int scale = 1) => BitmapFont.GlyphHeight * scale;

    /// <summary>Writes the canvas as an 8-bit RGB PNG, atomically.</summary>
    public void SavePng(string path)
    {
        using var img = Image.LoadPixelData<Rgb24>(rgb, Width, Height);
        AtomicFile.Write(path, s => img.SaveAsPng(s, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 }));
    }

    /// <summary>The PNG bytes (for embedding or tests).</summary>
    public byte[] ToPngBytes()
    {
        using var img = Image.LoadPixelData<Rgb24>(rgb, Width, Height);
        using var ms = new MemoryStream();
        img.SaveAsPng(ms, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit8 });
        return ms.ToArray();
    }

    private static byte ToByte(float v) => (byte)Math.Clamp((int)MathF.Round(v * 255f), 0, 255);
}
