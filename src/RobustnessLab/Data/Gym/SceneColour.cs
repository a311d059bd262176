namespace RobustnessLab.Data.Gym;

/// <summary>A colour with components in [0,1].</summary>
public readonly record struct SceneColour(float R, float G, float B)
{
    public SceneColour Scale(float k) => new(R * k, G * k, B * k);

    public SceneColour Mix(SceneColour other, float t) => new(R + (other.R - R) * t, G + (other.G - G) * t, B + (other.B - B) * t);

    public static SceneColour Grey(float v) => new(v, v, v);

    /// <summary>From hue in degrees, saturation and value in [0,1].</summary>
    public static SceneColour FromHsv(float h, float s, float v)
    {
        h = ((h % 360f) + 360f) % 360f / 60f;
        int i = (int)MathF.Floor(h);
        float f = h - i, p = v * (1 - s), q = v * (1 - s * f), t = v * (1 - s * (1 - f));
        return i switch
        {
            0 => new(v, t, p),
            1 => new(q, v, p),
            2 => new(p, v, t),
            3 => new(p, q, v),
            4 => new(t, p, v),
            _ => new(v, p, q),
        };
    }

    /// <summary>Hue in degrees [0,360), saturation and value in [0,1].</summary>
    public (float H, float S, float V) ToHsv()
    {
        float max = MathF.Max(R, MathF.Max(G, B)), min = MathF.Min(R, MathF.Min(G, B)), d = max - min;
        float h = 0;
        if (d > 1e-6f)
        {
            if (max == R) h = 60f * (((G - B) / d) % 6f);
            else if (max == G) h = 60f * ((B - R) / d + 2f);
            else h = 60f * ((R - G) / d + 4f);
        }
        if (h < 0) h += 360f;
        return (h, max <= 0 ? 0 : d / max, max);
    }
}
