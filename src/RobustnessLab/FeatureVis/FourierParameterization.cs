using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// The image as real-FFT coefficients, each scaled by 1/frequency (Olah, Mordvintsev, Schubert 2017; Lucid's
/// fft_image): equal steps in every coefficient give an image with natural 1/f statistics, so gradient ascent is
/// not dominated by high frequencies. Image = irfft2(scale · coefficients, orthonormal) / 4, then colour and sigmoid.
/// </summary>
public sealed class FourierParameterization : ImageParameterization
{
    // Lucid divides the spatial image by 4 ("magic") so that sd-0.01 noise maps to a calm start.
    private const double Magic = 4.0;

    private readonly Tensor spectrum; // [B, C, H, W/2+1, 2] real view of the complex coefficients
    private readonly Tensor scale;    // [1, 1, H, W/2+1, 1]
    private readonly Tensor frequency; // [H, W/2+1] cycles per pixel

    public FourierParameterization(IReadOnlyList<Generator> generators, int channels, int height, int width, bool decorrelate, Device? device = null, double sd = 0.01)
        : base(generators.Count, channels, height, width, decorrelate)
    {
        using var scope = NewDisposeScope();
        int wf = width / 2 + 1;
        var f = new float[height * wf];
        for (int y = 0; y < height; y++)
        {
            double fy = (y <= (height - 1) / 2 ? y : y - height) / (double)height; // numpy fftfreq
            for (int x = 0; x < wf; x++)
            {
                double fx = x / (double)width; // numpy rfftfreq
                f[y * wf + x] = (float)Math.Sqrt(fx * fx + fy * fy);
            }
        }
        var freq = tensor(f, new long[] { height, wf });
        var s = 1.0 / freq.clamp_min(1.0 / Math.Max(width, height));
        var init = cat(generators.Select(g => randn(new long[] { 1, channels, height, wf, 2 }, generator: g)).ToList(), 0).mul_(sd);
        if (device is not null) { freq = freq.to(device); s = s.to(device); init = init.to(device); }
        frequency = freq.DetachFromDisposeScope();
        scale = s.view(1, 1, height, wf, 1).DetachFromDisposeScope();
        spectrum = init.detach().requires_grad_(true).DetachFromDisposeScope();
    }

    public override IReadOnlyList<Tensor> Parameters => [spectrum];

    protected override Tensor Raw()
    {
        using var scope = NewDisposeScope();
        var complex = view_as_complex((spectrum * scale).contiguous());
        var img = fft.irfft2(complex, s: new long[] { Height, Width }, norm: FFTNormType.Ortho) / Magic;
        return img.MoveToOuterDisposeScope();
    }

    protected override void SetRaw(Tensor raw)
    {
        using var scope = NewDisposeScope();
        var coefficients = view_as_real(fft.rfft2(raw * Magic, norm: FFTNormType.Ortho)) / scale;
        spectrum.copy_(coefficients);
    }

    /// <summary>Gaussian blur as a product in frequency space: exp(-2 π² σ² f²).</summary>
    public override void Blur(double sigma)
    {
        if (sigma <= 0) return;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var gain = (frequency.pow(2) * (-2 * Math.PI * Math.PI * sigma * sigma)).exp().view(1, 1, Height, Width / 2 + 1, 1);
        spectrum.mul_(gain);
    }

    public override void Dispose()
    {
        spectrum.Dispose();
        scale.Dispose();
        frequency.Dispose();
    }
}
