using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Decorrelated colour space for RGB parametrisations (Olah et al. 2017; Lucid's color_correlation_svd_sqrt, the
/// square root of ImageNet's colour covariance, scaled so its largest column has unit norm). Optimising in this
/// space spreads a gradient step over natural colour directions instead of pushing single channels.
/// </summary>
public static class ColorDecorrelation
{
    private static readonly float[,] SvdSqrt =
    {
        { 0.26f, 0.09f, 0.02f },
        { 0.27f, 0.00f, -0.05f },
        { 0.27f, -0.09f, 0.03f },
    };

    /// <summary>The 3x3 matrix M (normalised) with rgb = M · decorrelated.</summary>
    public static float[,] Matrix()
    {
        double maxNorm = 0;
        for (int c = 0; c < 3; c++)
            maxNorm = Math.Max(maxNorm, Math.Sqrt(Enumerable.Range(0, 3).Sum(r => SvdSqrt[r, c] * (double)SvdSqrt[r, c])));
        var m = new float[3, 3];
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 3; c++)
                m[r, c] = (float)(SvdSqrt[r, c] / maxNorm);
        return m;
    }

    /// <summary>Maps [B,3,H,W] from decorrelated to RGB coordinates (inverse = true: back).</summary>
    public static Tensor Apply(Tensor x, bool inverse = false)
    {
        using var scope = NewDisposeScope();
        var m = tensor(Flatten(Matrix()), new long[] { 3, 3 }, device: x.device);
        if (inverse) m = linalg.inv(m);
        // y[b,r,h,w] = sum_c m[r,c] x[b,c,h,w]
        return einsum("rc,bchw->brhw", m, x).MoveToOuterDisposeScope();
    }

    private static float[] Flatten(float[,] m) => [m[0, 0], m[0, 1], m[0, 2], m[1, 0], m[1, 1], m[1, 2], m[2, 0], m[2, 1], m[2, 2]];
}
