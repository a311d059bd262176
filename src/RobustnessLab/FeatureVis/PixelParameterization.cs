using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>One free value per pixel and channel. Simple, and prone to high-frequency patterns without regularisers.</summary>
public sealed class PixelParameterization : ImageParameterization
{
    private readonly Tensor pixels;

    public PixelParameterization(IReadOnlyList<Generator> generators, int channels, int height, int width, bool decorrelate, Device? device = null, double sd = 0.01)
        : base(generators.Count, channels, height, width, decorrelate)
    {
        using var scope = NewDisposeScope();
        var init = cat(generators.Select(g => randn(new long[] { 1, channels, height, width }, generator: g)).ToList(), 0).mul_(sd);
        if (device is not null) init = init.to(device);
        pixels = init.detach().requires_grad_(true).DetachFromDisposeScope();
    }

    public override IReadOnlyList<Tensor> Parameters => [pixels];

    protected override Tensor Raw() => pixels.alias();

    protected override void SetRaw(Tensor raw) => pixels.copy_(raw);

    public override void Blur(double sigma)
    {
        if (sigma <= 0) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        pixels.copy_(GaussianBlur.Apply(pixels, sigma));
    }

    public override void Dispose() => pixels.Dispose();
}
