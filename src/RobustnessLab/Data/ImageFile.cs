using RobustnessLab.Core;
using RobustnessLab.Models;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace RobustnessLab.Data;

/// <summary>
/// Reads image files (PNG, JPEG, BMP, WebP, GIF, TGA, TIFF: whatever ImageSharp decodes) of any size into a model's
/// input: C x H x W floats in [0,1], after the preprocessing recorded in model.json (<see cref="PreprocessInfo"/>).
/// Refuses, with one line naming the file, what is not an image, is corrupt, or is over 50 megapixels.
/// </summary>
public static class ImageFile
{
    public const long MaxPixels = 50_000_000;

    public static readonly IReadOnlyList<string> Extensions = [".png", ".jpg", ".jpeg", ".bmp", ".webp", ".gif", ".tga", ".tif", ".tiff"];

    /// <summary>Width, height and channel count (1 for greyscale, 3 for colour) from the header, without decoding.</summary>
    public static (int Width, int Height, int Channels) Identify(string path)
    {
        if (!File.Exists(path)) throw new LabException($"image '{path}' not found");
        IImageInfo? info;
        try { info = Image.Identify(path); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException or IOException)
        {
            throw new LabException($"{path}: not a readable image ({e.Message})");
        }
        if (info is null) throw new LabException($"{path}: not a readable image (not PNG, JPEG, BMP, WebP, GIF, TGA or TIFF)");
        if ((long)info.Width * info.Height > MaxPixels)
            throw new LabException($"{path}: {info.Width}x{info.Height} is {info.Width * (double)info.Height / 1e6:F1} megapixels, over the {MaxPixels / 1_000_000}-megapixel limit");
        // Greyscale decodes to 8 or 16 bits per pixel (L8, La16, L16); colour to 24 and more.
        int channels = info.PixelType.BitsPerPixel <= 16 ? 1 : 3;
        return (info.Width, info.Height, channels);
    }

    /// <summary>Decodes, converts to the model's channel count and applies the preprocessing.</summary>
    public static ImageData Load(string path, int channels, int height, int width, PreprocessInfo preprocess)
    {
        var (w0, h0, _) = Identify(path);
        if (preprocess.Mode == "none" && (w0 != width || h0 != height))
            throw new LabException($"{path}: {w0}x{h0} pixels, the model takes {width}x{height} and its preprocessing is 'none' (import it with --preprocess torchvision or resize)");
        Image<Rgb24> image;
        try { image = Image.Load<Rgb24>(path); }
        catch (Exception e) when (e is UnknownImageFormatException or InvalidImageContentException or NotSupportedException or ImageFormatException or IOException)
        {
            throw new LabException($"{path}: corrupt image ({e.Message})");
        }
        using (image)
        {
            switch (preprocess.Mode)
            {
                case "torchvision":
                {
                    // torchvision's Resize(int): the shorter side becomes `size`, the other keeps the aspect ratio
                    // (truncated); CenterCrop rounds the offsets.
                    int size = preprocess.Resize ?? Math.Min(width, height);
                    var (rw, rh) = w0 <= h0 ? (size, (int)((long)size * h0 / w0)) : ((int)((long)size * w0 / h0), size);
                    if (rw != w0 || rh != h0) image.Mutate(m => m.Resize(rw, rh, KnownResamplers.Triangle));
                    if (rw < width || rh < height) image.Mutate(m => m.Resize(Math.Max(rw, width), Math.Max(rh, height), KnownResamplers.Triangle));
                    int left = (int)Math.Round((image.Width - width) / 2.0), top = (int)Math.Round((image.Height - height) / 2.0);
                    image.Mutate(m => m.Crop(new Rectangle(left, top, width, height)));
                    break;
                }
                case "resize":
                    if (image.Width != width || image.Height != height) image.Mutate(m => m.Resize(width, height, KnownResamplers.Triangle));
                    break;
                case "none":
                    break;
                default:
                    throw new LabException($"unknown preprocessing '{preprocess.Mode}'; valid: {string.Join(", ", PreprocessInfo.Modes)}");
            }
            var pixels = new float[channels * height * width];
            var rgb = new Rgb24[width * height];
            image.CopyPixelDataTo(rgb);
            int plane = width * height;
            for (int i = 0; i < plane; i++)
            {
                var p = rgb[i];
                if (channels == 1)
                    pixels[i] = (0.299f * p.R + 0.587f * p.G + 0.114f * p.B) / 255f;
                else
                {
                    pixels[i] = p.R / 255f;
                    pixels[plane + i] = p.G / 255f;
                    pixels[2 * plane + i] = p.B / 255f;
                }
            }
            if (channels != 1 && channels != 3) throw new LabException($"{path}: the model takes {channels} channels; images give 1 or 3");
            return new ImageData(channels, height, width, pixels);
        }
    }
}
