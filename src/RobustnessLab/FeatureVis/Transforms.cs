using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Transformation robustness (Olah, Mordvintsev, Schubert 2017; Lucid's transform.py): optimise the image so the
/// objective survives small random shifts, scalings and rotations, which suppresses adversarial high-frequency noise.
/// </summary>
public static class Transforms
{
    /// <summary>Leaves the image unchanged.</summary>
    public static ImageTransform None() => (x, _) => x.alias();

    /// <summary>Pads every side by <paramref name="pixels"/> with a constant (mid-grey by default).</summary>
    public static ImageTransform Pad(int pixels, double value = 0.5)
    {
        if (pixels < 0) throw new LabException($"pad must be >= 0, got {pixels}");
        return (x, _) => pixels == 0 ? x.alias() : nn.functional.pad(x, new long[] { pixels, pixels, pixels, pixels }, PaddingModes.Constant, value);
    }

    /// <summary>A random crop that is <paramref name="pixels"/> smaller in each dimension: a shift of 0..d pixels.</summary>
    public static ImageTransform Jitter(int pixels)
    {
        if (pixels < 0) throw new LabException($"jitter must be >= 0, got {pixels}");
        return (x, rng) =>
        {
            long h = x.shape[2], w = x.shape[3];
            if (pixels == 0 || pixels >= h || pixels >= w) return x.alias();
            int oy = rng.Next(pixels + 1), ox = rng.Next(pixels + 1);
            return x.narrow(2, oy, h - pixels).narrow(3, ox, w - pixels);
        };
    }

    /// <summary>Rescales by a factor drawn from <paramref name="scales"/> (bilinear).</summary>
    public static ImageTransform RandomScale(IReadOnlyList<double> scales)
    {
        if (scales.Count == 0 || scales.Any(s => !(s > 0))) throw new LabException("random scale needs positive factors");
        return (x, rng) =>
        {
            double s = scales[rng.Next(scales.Count)];
            long h = Math.Max(2, (long)Math.Round(x.shape[2] * s)), w = Math.Max(2, (long)Math.Round(x.shape[3] * s));
            if (h == x.shape[2] && w == x.shape[3]) return x.alias();
            return nn.functional.interpolate(x, new long[] { h, w }, mode: InterpolationMode.Bilinear, align_corners: false);
        };
    }

    /// <summary>Rotates about the centre by an angle in degrees drawn from <paramref name="degrees"/>; borders repeat edge pixels.</summary>
    public static ImageTransform RandomRotate(IReadOnlyList<double> degrees)
    {
        if (degrees.Count == 0) throw new LabException("random rotate needs at least one angle");
        return (x, rng) =>
        {
            double a = degrees[rng.Next(degrees.Count)] * Math.PI / 180.0;
            if (a == 0) return x.alias();
            float c = (float)Math.Cos(a), s = (float)Math.Sin(a);
            var theta = tensor(new[] { c, -s, 0f, s, c, 0f }, new long[] { 1, 2, 3 }, device: x.device).expand(x.shape[0], 2, 3);
            var grid = nn.functional.affine_grid(theta, x.shape, align_corners: false);
            return nn.functional.grid_sample(x, grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: false);
        };
    }

    /// <summary>Bilinear resize to a fixed size (the model's input size ends every chain).</summary>
    public static ImageTransform Resize(int height, int width) => (x, _) =>
        x.shape[2] == height && x.shape[3] == width
            ? x.alias()
            : nn.functional.interpolate(x, new long[] { height, width }, mode: InterpolationMode.Bilinear, align_corners: false);

    /// <summary>Applies transforms left to right.</summary>
    public static ImageTransform Compose(params ImageTransform[] transforms) => (x, rng) =>
    {
        var y = x;
        foreach (var t in transforms) y = t(y, rng);
        return ReferenceEquals(y, x) ? x.alias() : y;
    };

    /// <summary>
    /// Lucid's standard set verbatim (for 128-224 px images): pad 12 (grey), jitter 8, scale 0.90..1.10 in steps of 0.02,
    /// rotate -10..10 degrees (0 five extra times), jitter 4.
    /// </summary>
    public static ImageTransform LucidStandard() => Standard(128);

    /// <summary>
    /// Lucid's standard set with its pixel amounts (pad 12, jitter 8, jitter 4) scaled to an image of
    /// <paramref name="imageSize"/> pixels relative to Lucid's 128 (at least 1 pixel each); scale and rotation as in Lucid.
    /// </summary>
    public static ImageTransform Standard(int imageSize)
    {
        int P(int lucid) => Math.Max(1, (int)Math.Round(lucid * imageSize / 128.0));
        var scales = Enumerable.Range(0, 11).Select(i => 1 + (i - 5) / 50.0).ToArray();
        var angles = Enumerable.Range(-10, 21).Select(a => (double)a).Concat(Enumerable.Repeat(0.0, 5)).ToArray();
        return Compose(Pad(P(12)), Jitter(P(8)), RandomScale(scales), RandomRotate(angles), Jitter(P(4)));
    }
}
