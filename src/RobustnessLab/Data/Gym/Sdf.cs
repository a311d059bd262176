namespace RobustnessLab.Data.Gym;

/// <summary>Signed distance functions (negative inside) of the primitives the gym scenes are built from.</summary>
internal static class Sdf
{
    public static float Circle(float px, float py, float cx, float cy, float r) => Length(px - cx, py - cy) - r;

    /// <summary>Distance to the segment a-b minus a radius: a capsule (a bar with round ends).</summary>
    public static float Capsule(float px, float py, float ax, float ay, float bx, float by, float r) =>
        SegmentDistance(px, py, ax, ay, bx, by, out _) - r;

    public static float SegmentDistance(float px, float py, float ax, float ay, float bx, float by, out float t)
    {
        float dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy;
        t = len2 <= 1e-12f ? 0f : Math.Clamp(((px - ax) * dx + (py - ay) * dy) / len2, 0f, 1f);
        return Length(px - ax - t * dx, py - ay - t * dy);
    }

    /// <summary>An axis-aligned box of half-size (hx, hy) centred at the origin, corners rounded by rc.</summary>
    public static float RoundBox(float px, float py, float hx, float hy, float rc)
    {
        rc = MathF.Min(rc, MathF.Min(hx, hy));
        float qx = MathF.Abs(px) - hx + rc, qy = MathF.Abs(py) - hy + rc;
        return Length(MathF.Max(qx, 0), MathF.Max(qy, 0)) + MathF.Min(MathF.Max(qx, qy), 0) - rc;
    }

    /// <summary>An ellipse of radii (a, b) at the origin (first-order distance estimate, exact on the axes).</summary>
    public static float Ellipse(float px, float py, float a, float b)
    {
        float k0 = Length(px / a, py / b);
        float k1 = Length(px / (a * a), py / (b * b));
        return k1 < 1e-9f ? -MathF.Min(a, b) : k0 * (k0 - 1f) / k1;
    }

    public static float Length(float x, float y) => MathF.Sqrt(x * x + y * y);
}
