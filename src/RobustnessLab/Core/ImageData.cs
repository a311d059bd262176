using static TorchSharp.torch;

namespace RobustnessLab.Core;

/// <summary>
/// An image as plain data: channels x height x width floats in [0,1] (CHW, row-major). What result records carry
/// instead of tensors, so reporting never sees a tensor.
/// </summary>
public sealed record ImageData(int Channels, int Height, int Width, float[] Pixels)
{
    public float this[int c, int y, int x] => Pixels[(c * Height + y) * Width + x];

    /// <summary>Copies a CHW or 1xCHW tensor (any device) into plain data.</summary>
    public static ImageData FromTensor(Tensor image)
    {
        using var scope = NewDisposeScope();
        var t = image.dim() == 4 ? image[0] : image;
        if (t.dim() != 3) throw new ArgumentException($"expected a CHW image, got {t.dim()} dimensions");
        var data = t.detach().to(ScalarType.Float32).cpu().contiguous().data<float>().ToArray();
        return new ImageData((int)t.shape[0], (int)t.shape[1], (int)t.shape[2], data);
    }

    /// <summary>A 1xCxHxW float tensor holding these pixels.</summary>
    public Tensor ToTensor(Device? device = null)
    {
        var t = tensor(Pixels, new long[] { 1, Channels, Height, Width });
        return device is null ? t : t.to(device);
    }

    /// <summary>Splits a batch tensor NCHW into images.</summary>
    public static IReadOnlyList<ImageData> FromBatch(Tensor batch)
    {
        var list = new List<ImageData>((int)batch.shape[0]);
        for (long i = 0; i < batch.shape[0]; i++)
        {
            using var row = batch[i];
            list.Add(FromTensor(row));
        }
        return list;
    }

    /// <summary>Maps a signed image (e.g. a perturbation or gradient sign) from [-limit, limit] to [0,1] for display.</summary>
    public ImageData SignedToDisplay(float limit)
    {
        var p = new float[Pixels.Length];
        for (int i = 0; i < p.Length; i++) p[i] = Math.Clamp(0.5f + 0.5f * Pixels[i] / limit, 0f, 1f);
        return this with { Pixels = p };
    }
}
