using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// A multivariate Gaussian fitted to images at a low resolution: the starting points of robust synthesis (Santurkar et
/// al. 2019, arXiv:1906.09453, seed each image with a draw from a class-conditional Gaussian fitted to downsampled
/// training images, then let a robust model's gradient add the detail). Draws are upsampled bilinearly to the requested
/// size and clipped to [0, 1]. The covariance is shrunk toward its mean variance (a fraction <c>shrinkage</c>), so it is
/// positive definite with fewer images than dimensions.
/// </summary>
public sealed class ImageGaussian : IDisposable
{
    private readonly Tensor mean, factor;

    private ImageGaussian(Tensor mean, Tensor factor, int channels, int resolution, int images)
    {
        this.mean = mean;
        this.factor = factor;
        Channels = channels;
        Resolution = resolution;
        Images = images;
    }

    public int Channels { get; }

    /// <summary>Side of the images the Gaussian lives on.</summary>
    public int Resolution { get; }

    /// <summary>How many images it was fitted to.</summary>
    public int Images { get; }

    /// <summary>Fits the Gaussian to <paramref name="images"/> ([N, C, H, W] in [0, 1]) average-pooled to <paramref name="resolution"/> pixels.</summary>
    public static ImageGaussian Fit(Tensor images, int resolution, double shrinkage = 0.05)
    {
        if (images.dim() != 4 || images.shape[0] < 2) throw new LabException($"image gaussian: needs at least 2 images [N, C, H, W], got shape [{string.Join(", ", images.shape)}]");
        if (resolution < 1 || resolution > images.shape[2] || resolution > images.shape[3])
            throw new LabException($"image gaussian: resolution must be in 1..{Math.Min(images.shape[2], images.shape[3])}, got {resolution}");
        if (!(shrinkage > 0 && shrinkage <= 1)) throw new LabException($"image gaussian: shrinkage must be in (0, 1], got {shrinkage}");
        using var scope = NewDisposeScope();
        int channels = (int)images.shape[1];
        long n = images.shape[0], d = channels * resolution * resolution;
        var x = nn.functional.adaptive_avg_pool2d(images.to(float64).cpu(), new long[] { resolution, resolution }).reshape(n, d);
        var mu = x.mean(new long[] { 0 });
        var centred = x - mu;
        var cov = centred.t().matmul(centred) / (n - 1);
        double meanVariance = cov.diagonal().mean().item<double>();
        cov = cov * (1 - shrinkage) + eye(d, dtype: float64) * (shrinkage * Math.Max(meanVariance, 1e-8));
        var l = linalg.cholesky(cov);
        return new ImageGaussian(mu.MoveToOuterDisposeScope(), l.MoveToOuterDisposeScope(), channels, resolution, (int)n);
    }

    /// <summary><paramref name="count"/> draws at <paramref name="size"/> pixels, float32 on <paramref name="device"/>.</summary>
    public Tensor Sample(int count, int size, Generator generator, Device device)
    {
        using var scope = NewDisposeScope();
        long d = mean.shape[0];
        var z = randn(new long[] { count, d }, dtype: float64, generator: generator);
        var x = (mean + z.matmul(factor.t())).reshape(count, Channels, Resolution, Resolution).to(float32);
        if (size != Resolution) x = nn.functional.interpolate(x, new long[] { size, size }, mode: InterpolationMode.Bilinear, align_corners: false);
        return x.clamp(0, 1).to(device).MoveToOuterDisposeScope();
    }

    public void Dispose()
    {
        mean.Dispose();
        factor.Dispose();
    }
}
