using RobustnessLab.Core;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.PixelFormats;

namespace RobustnessLab.Reporting;

/// <summary>
/// Saving and loading model-resolution images. <see cref="SaveExact"/> writes 16 bits per channel, so a saved
/// adversarial example differs from the tensor by at most 1/131070 per pixel (8-bit PNGs round by up to 1/510,
/// which can undo a small attack). Re-evaluate what was saved with <see cref="Load"/>.
/// </summary>
public static class Png
{
    /// <summary>16-bit greyscale or RGB PNG at the image's own resolution (lossless for evaluation purposes).</summary>
    public static void SaveExact(ImageData image, string path)
    {
        AtomicFile.Write(path, s =>
        {
            if (image.Channels == 1)
            {
                var px = new L16[image.Height * image.Width];
                for (int i = 0; i < px.Length; i++) px[i] = new L16(To16(image.Pixels[i]));
                using var img = Image.LoadPixelData(px, image.Width, image.Height);
                img.SaveAsPng(s, new PngEncoder { ColorType = PngColorType.Grayscale, BitDepth = PngBitDepth.Bit16 });
            }
            else if (image.Channels == 3)
            {
                int hw = image.Height * image.Width;
                var px = new Rgb48[hw];
                for (int i = 0; i < hw; i++) px[i] = new Rgb48(To16(image.Pixels[i]), To16(image.Pixels[hw + i]), To16(image.Pixels[2 * hw + i]));
                using var img = Image.LoadPixelData(px, image.Width, image.Height);
                img.SaveAsPng(s, new PngEncoder { ColorType = PngColorType.Rgb, BitDepth = PngBitDepth.Bit16 });
            }
            else throw new ArgumentException($"can save 1- or 3-channel images, got {image.Channels}");
        });
    }

    /// <summary>Loads a PNG as [0,1] floats with the given channel count (1: luminance, 3: RGB).</summary>
    public static ImageData Load(string path, int channels)
    {
        if (!File.Exists(path)) throw new LabException($"{path}: file not found");
        using var img = Image.Load<Rgba64>(path);
        int h = img.Height, w = img.Width;
        var p = new float[channels * h * w];
        img.ProcessPixelRows(acc =>
        {
            for (int y = 0; y < h; y++)
            {
                var row = acc.GetRowSpan(y);
                for (int x = 0; x < w; x++)
                {
                    var q = row[x];
                    if (channels == 1) p[y * w + x] = q.R / 65535f; // greyscale PNGs expand to R = G = B
                    else
                    {
                        p[(0 * h + y) * w + x] = q.R / 65535f;
                        p[(1 * h + y) * w + x] = q.G / 65535f;
                        p[(2 * h + y) * w + x] = q.B / 65535f;
                    }
                }
            }
        });
        return new ImageData(channels, h, w, p);
    }

    private static ushort To16(float v) => (ushort)Math.Clamp((int)MathF.Round(v * 65535f), 0, 65535);
}
