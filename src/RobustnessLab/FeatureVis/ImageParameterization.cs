using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// An image made from trainable tensors (Lucid's "param"): <see cref="Parameters"/> are optimised and
/// <see cref="Image"/> turns them into a [B,C,H,W] image in [0,1] (optionally through decorrelated colour, always
/// through a sigmoid). Owns its tensors.
/// </summary>
public abstract class ImageParameterization : IDisposable
{
    protected ImageParameterization(int batch, int channels, int height, int width, bool decorrelate)
    {
        if (batch < 1) throw new LabException($"batch must be positive, got {batch}");
        if (channels is not (1 or 3)) throw new LabException($"images need 1 or 3 channels, got {channels}");
        if (height < 2 || width < 2) throw new LabException($"image must be at least 2x2, got {height}x{width}");
        Batch = batch;
        Channels = channels;
        Height = height;
        Width = width;
        Decorrelate = decorrelate && channels == 3;
    }

    public int Batch { get; }
    public int Channels { get; }
    public int Height { get; }
    public int Width { get; }
    public bool Decorrelate { get; }

    /// <summary>The tensors to optimise (leaf tensors requiring gradients).</summary>
    public abstract IReadOnlyList<Tensor> Parameters { get; }

    /// <summary>The image [B,C,H,W] in [0,1] (differentiable in <see cref="Parameters"/>).</summary>
    public Tensor Image()
    {
        using var scope = NewDisposeScope();
        var raw = Raw();
        if (Decorrelate) raw = ColorDecorrelation.Apply(raw);
        return sigmoid(raw).MoveToOuterDisposeScope();
    }

    /// <summary>Sets the parameters so that <see cref="Image"/> returns (approximately, up to clamping) the given image.</summary>
    public void SetImage(Tensor image)
    {
        if (!image.shape.SequenceEqual(new long[] { Batch, Channels, Height, Width }))
            throw new LabException($"image shape [{string.Join(", ", image.shape)}] does not match the parametrisation [{Batch}, {Channels}, {Height}, {Width}]");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var p = image.clamp(1e-4, 1 - 1e-4);
        var raw = (p / (1 - p)).log();
        if (Decorrelate) raw = ColorDecorrelation.Apply(raw, inverse: true);
        SetRaw(raw);
    }

    /// <summary>Gaussian blur of the image content by sigma pixels, applied to the parameters in place.</summary>
    public abstract void Blur(double sigma);

    /// <summary>The pre-sigmoid image in the parametrisation's colour space.</summary>
    protected abstract Tensor Raw();

    protected abstract void SetRaw(Tensor raw);

    public abstract void Dispose();

    /// <summary>
    /// Creates a parametrisation of one image per generator, each initialised with small noise from its own generator
    /// (so image i does not depend on the others).
    /// </summary>
    public static ImageParameterization Create(ParameterizationKind kind, IReadOnlyList<Generator> generators, int channels, int height, int width, bool decorrelate, Device? device = null, double sd = 0.01) =>
        kind switch
        {
            ParameterizationKind.Pixels => new PixelParameterization(generators, channels, height, width, decorrelate, device, sd),
            ParameterizationKind.Fourier => new FourierParameterization(generators, channels, height, width, decorrelate, device, sd),
            _ => throw new LabException($"unknown parametrisation {kind}"),
        };
}
