namespace RobustnessLab.Data.Gym;

/// <summary>
/// The skin tones the gym renderer paints arms with, and the hue rule that recognises them. Objects, backgrounds
/// and clutter are drawn from colours outside this rule, so "the share of attribution on skin-hued pixels" measures
/// arm, not floor.
/// </summary>
public static class SkinTone
{
    // Light to dark anchors; a tone is a mix of two neighbours plus a little jitter (hue ~18-30 degrees).
    private static readonly SceneColour[] Anchors =
    [
        new(0.96f, 0.80f, 0.69f),
        new(0.90f, 0.70f, 0.55f),
        new(0.78f, 0.56f, 0.42f),
        new(0.62f, 0.42f, 0.30f),
        new(0.45f, 0.29f, 0.20f),
    ];

    /// <summary>A random skin tone from light to dark.</summary>
    public static SceneColour Sample(Random rng)
    {
        double t = rng.NextDouble() * (Anchors.Length - 1);
        int i = Math.Min((int)t, Anchors.Length - 2);
        var c = Anchors[i].Mix(Anchors[i + 1], (float)(t - i));
        float k = 0.95f + 0.1f * (float)rng.NextDouble();
        return new SceneColour(Math.Min(1f, c.R * k), Math.Min(1f, c.G * k), Math.Min(1f, c.B * k));
    }

    /// <summary>Whether a colour is skin-hued: orange-red hue, moderate saturation, R &gt; G &gt; B.</summary>
    public static bool IsSkin(float r, float g, float b)
    {
        if (!(r > g && g > b)) return false;
        var (h, s, v) = new SceneColour(r, g, b).ToHsv();
        return h >= 10f && h <= 45f && s >= 0.18f && s <= 0.72f && v >= 0.18f;
    }

    /// <summary>Skin mask of a CHW RGB image (H*W booleans).</summary>
    public static bool[] Mask(float[] chw, int height, int width)
    {
        int n = height * width;
        if (chw.Length != 3 * n) throw new ArgumentException($"expected 3 x {height} x {width} values, got {chw.Length}");
        var mask = new bool[n];
        for (int i = 0; i < n; i++) mask[i] = IsSkin(chw[i], chw[n + i], chw[2 * n + i]);
        return mask;
    }
}
