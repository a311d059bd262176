namespace RobustnessLab.Data.Gym;

/// <summary>
/// A small software rasteriser for the gym scenes: shapes are signed-distance functions in pixel units, painted
/// with one-pixel anti-aliasing, and every pixel remembers which layer (background, clutter, object, arm, hand) covers
/// it most, so the masks are exactly what was drawn.
/// </summary>
internal sealed class SceneCanvas
{
    public const byte Background = 0, Clutter = 1, Object = 2, Arm = 3, Hand = 4;

    private readonly float[] r, g, b;
    private readonly byte[] layer;

    public SceneCanvas(int size)
    {
        Size = size;
        r = new float[size * size];
        g = new float[size * size];
        b = new float[size * size];
        layer = new byte[size * size];
    }

    public int Size { get; }

    /// <summary>Sets every pixel from a colour function of the pixel centre (background layer).</summary>
    public void FillBackground(Func<float, float, SceneColour> colour)
    {
        for (int y = 0; y < Size; y++)
            for (int x = 0; x < Size; x++)
            {
                var c = colour(x + 0.5f, y + 0.5f);
                int i = y * Size + x;
                r[i] = c.R; g[i] = c.G; b[i] = c.B;
                layer[i] = Background;
            }
    }

    /// <summary>
    /// Paints a shape: <paramref name="sdf"/> is the signed distance in pixels (negative inside), <paramref name="colour"/>
    /// the colour at a point inside. Coverage is clamp(0.5 - d, 0, 1); a pixel joins the layer when coverage >= 0.5.
    /// <paramref name="bounds"/> (x0, y0, x1, y1) limits the work to the shape's box.
    /// </summary>
    public void Paint(Func<float, float, float> sdf, Func<float, float, SceneColour> colour, byte paintLayer, (float X0, float Y0, float X1, float Y1) bounds, float opacity = 1f)
    {
        int x0 = Math.Max(0, (int)MathF.Floor(bounds.X0) - 1), y0 = Math.Max(0, (int)MathF.Floor(bounds.Y0) - 1);
        int x1 = Math.Min(Size - 1, (int)MathF.Ceiling(bounds.X1) + 1), y1 = Math.Min(Size - 1, (int)MathF.Ceiling(bounds.Y1) + 1);
        for (int y = y0; y <= y1; y++)
            for (int x = x0; x <= x1; x++)
            {
                float px = x + 0.5f, py = y + 0.5f;
                float cov = Math.Clamp(0.5f - sdf(px, py), 0f, 1f) * opacity;
                if (cov <= 0f) continue;
                var c = colour(px, py);
                int i = y * Size + x;
                r[i] += (c.R - r[i]) * cov;
                g[i] += (c.G - g[i]) * cov;
                b[i] += (c.B - b[i]) * cov;
                if (cov >= 0.5f) layer[i] = paintLayer;
            }
    }

    /// <summary>Adds per-pixel noise (sensor grain) and clamps to [0,1].</summary>
    public void AddNoise(Random rng, float amplitude)
    {
        for (int i = 0; i < r.Length; i++)
        {
            float n = (float)(rng.NextDouble() * 2 - 1) * amplitude;
            r[i] = Math.Clamp(r[i] + n, 0f, 1f);
            g[i] = Math.Clamp(g[i] + n, 0f, 1f);
            b[i] = Math.Clamp(b[i] + n, 0f, 1f);
        }
    }

    /// <summary>Pixels as CHW floats in [0,1].</summary>
    public float[] ToChw()
    {
        int n = Size * Size;
        var data = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            data[i] = Math.Clamp(r[i], 0f, 1f);
            data[n + i] = Math.Clamp(g[i], 0f, 1f);
            data[2 * n + i] = Math.Clamp(b[i], 0f, 1f);
        }
        return data;
    }

    public bool[] Mask(params byte[] which) => layer.Select(l => which.Contains(l)).ToArray();
}
