using RobustnessLab.Core;

namespace RobustnessLab.Data.Gym;

/// <summary>
/// Draws one gym scene procedurally: a textured floor, a little clutter, one gym object in a random pose, scale and
/// colour, and optionally a skin-toned arm gripping it (upper arm, elbow, forearm and fist; the arm comes in from outside the frame).
/// Every random choice comes from the request's seed, and the arm's choices are drawn whether or not it is painted.
/// </summary>
public static class GymRenderer
{
    public const int MinimumSize = 16;

    public static GymRender Render(GymSceneRequest request)
    {
        int s = request.Size;
        if (s < MinimumSize) throw new LabException($"gym image size must be at least {MinimumSize} pixels, got {s}");
        if (request.ClassIndex < -1 || request.ClassIndex >= GymScenes.ClassNames.Count)
            throw new LabException($"gym class index {request.ClassIndex} is outside -1..{GymScenes.ClassNames.Count - 1}");
        if (request.GripClass < -1 || request.GripClass >= GymScenes.ClassNames.Count)
            throw new LabException($"gym grip class {request.GripClass} is outside -1..{GymScenes.ClassNames.Count - 1}");
        var rng = new Random((int)(LabContext.DeriveSeed(request.Seed, 0x6A11) & 0x7fffffff));
        var canvas = new SceneCanvas(s);
        PaintBackground(canvas, rng);
        if (request.PlainFloor) PaintPlainFloor(canvas, new Random((int)(LabContext.DeriveSeed(request.Seed, 0x9F1) & 0x7fffffff)));
        if (request.NoiseBackground) PaintNoise(canvas, new Random(rng.Next()));
        int clutter = rng.Next(0, 3);
        for (int i = 0; i < clutter; i++) PaintClutter(canvas, rng);

        // Object pose and grip: drawn for every scene so that the arm's random numbers do not depend on the class.
        // Objects fill a third to a half of the frame: at 32 px a kettlebell's handle and a plate's hole must still be
        // a pixel or two wide, or the classes blur into one another.
        float unit = s * (0.25f + 0.07f * (float)rng.NextDouble());
        float cx = s * (0.5f + 0.24f * ((float)rng.NextDouble() - 0.5f));
        float cy = s * (0.5f + 0.24f * ((float)rng.NextDouble() - 0.5f));
        float angle = (float)(rng.NextDouble() * 2 * Math.PI);
        var colour = ObjectColour(rng);
        if (request.SkinTonedObject)
        {
            // For the arm detector only: an object in skin or orange tones, so that colour alone never means "arm".
            var tone = new Random((int)(LabContext.DeriveSeed(request.Seed, 0x5C1) & 0x7fffffff));
            colour = tone.Next(2) == 0
                ? SkinTone.Sample(tone)
                : SceneColour.FromHsv(15f + 30f * (float)tone.NextDouble(), 0.5f + 0.45f * (float)tone.NextDouble(), 0.6f + 0.4f * (float)tone.NextDouble());
        }
        var objectRng = new Random(rng.Next());
        var armRng = new Random(rng.Next());
        var noiseRng = new Random(rng.Next());

        Grip grip;
        if (request.ClassIndex >= 0)
            grip = PaintObject(canvas, request.ClassIndex, new Frame(cx, cy, angle, unit), colour, objectRng, request.WithoutPart);
        else
        {
            // An arm alone: a held scene whose object was erased. The arm grips where an object of the "ghost" class
            // would be gripped (drawn on a scratch canvas that is thrown away), so arm-alone scenes put the fist where
            // real hands go for every class alike, not only where a dumbbell's handle is.
            int ghost = request.GripClass >= 0
                ? request.GripClass
                : new Random((int)(LabContext.DeriveSeed(request.Seed, 0x6057) & 0x7fffffff)).Next(GymScenes.ClassNames.Count);
            grip = PaintObject(new SceneCanvas(s), ghost, new Frame(cx, cy, angle, unit), colour, objectRng);
        }
        if (request.Arm) PaintArm(canvas, grip, armRng, s);
        canvas.AddNoise(noiseRng, 0.015f);
        return new GymRender(s, request.ClassIndex, request.Arm, canvas.ToChw(), canvas.Mask(SceneCanvas.Object),
            canvas.Mask(SceneCanvas.Arm, SceneCanvas.Hand), canvas.Mask(SceneCanvas.Hand));
    }

    /// <summary>Where a hand holds an object: the point and the direction of the bar the fist closes around.</summary>
    private readonly record struct Grip(float X, float Y, float Hx, float Hy);

    /// <summary>An object's local frame: origin, rotation and unit length in pixels.</summary>
    private readonly record struct Frame(float Cx, float Cy, float Angle, float Unit)
    {
        private float Cos => MathF.Cos(Angle);
        private float Sin => MathF.Sin(Angle);

        public (float X, float Y) ToLocal(float px, float py)
        {
            float dx = px - Cx, dy = py - Cy;
            return ((dx * Cos + dy * Sin) / Unit, (-dx * Sin + dy * Cos) / Unit);
        }

        public (float X, float Y) ToWorld(float lx, float ly) => (Cx + (lx * Cos - ly * Sin) * Unit, Cy + (lx * Sin + ly * Cos) * Unit);

        /// <summary>Pixel bounds of a local box.</summary>
        public (float, float, float, float) Bounds(float x0, float y0, float x1, float y1)
        {
            var pts = new[] { ToWorld(x0, y0), ToWorld(x1, y0), ToWorld(x0, y1), ToWorld(x1, y1) };
            return (pts.Min(p => p.X), pts.Min(p => p.Y), pts.Max(p => p.X), pts.Max(p => p.Y));
        }

        public Grip GripAt(float lx, float ly, float hx, float hy)
        {
            var (x, y) = ToWorld(lx, ly);
            return new Grip(x, y, hx * Cos - hy * Sin, hx * Sin + hy * Cos);
        }

        /// <summary>Paints a shape given by a local signed distance (in units) and a local colour function.</summary>
        public void Paint(SceneCanvas canvas, Func<float, float, float> sdf, Func<float, float, SceneColour> colour, (float, float, float, float) localBox, float opacity = 1f)
        {
            var self = this;
            canvas.Paint(
                (px, py) => { var (lx, ly) = self.ToLocal(px, py); return sdf(lx, ly) * self.Unit; },
                (px, py) => { var (lx, ly) = self.ToLocal(px, py); return colour(lx, ly); },
                SceneCanvas.Object, Bounds(localBox.Item1, localBox.Item2, localBox.Item3, localBox.Item4), opacity);
        }
    }

    // ---------------------------------------------------------------- colours

    /// <summary>Object colours: black, greys, chrome and saturated hues outside the skin range.</summary>
    private static SceneColour ObjectColour(Random rng)
    {
        switch (rng.Next(8))
        {
            case 0: return SceneColour.Grey(0.10f + 0.08f * (float)rng.NextDouble());
            case 1: return SceneColour.Grey(0.30f + 0.15f * (float)rng.NextDouble());
            case 2: return SceneColour.Grey(0.68f + 0.15f * (float)rng.NextDouble());
            default:
                float[] hues = [355f, 215f, 125f, 280f, 55f, 185f, 330f, 240f];
                float h = hues[rng.Next(hues.Length)] + 6f * ((float)rng.NextDouble() - 0.5f);
                return SceneColour.FromHsv(h, 0.65f + 0.25f * (float)rng.NextDouble(), 0.55f + 0.35f * (float)rng.NextDouble());
        }
    }

    /// <summary>Background and clutter colours: greys and cool hues (never skin-like).</summary>
    private static SceneColour CoolColour(Random rng, float sMax = 0.45f)
    {
        if (rng.Next(3) == 0) return SceneColour.Grey(0.15f + 0.6f * (float)rng.NextDouble());
        float[] hues = [210f, 225f, 140f, 170f, 265f, 290f, 100f, 345f];
        float h = hues[rng.Next(hues.Length)] + 10f * ((float)rng.NextDouble() - 0.5f);
        return SceneColour.FromHsv(h, 0.15f + (sMax - 0.15f) * (float)rng.NextDouble(), 0.25f + 0.55f * (float)rng.NextDouble());
    }

    /// <summary>Cylinder shading across a bar: t in [-1,1] from one edge to the other; light from the t = -1 side.</summary>
    private static SceneColour Cylinder(SceneColour c, float t, float shine)
    {
        t = Math.Clamp(t, -1f, 1f);
        float lambert = 0.55f + 0.45f * MathF.Sqrt(1f - t * t) - 0.15f * t;
        float spec = shine * MathF.Exp(-MathF.Pow((t + 0.45f) / 0.22f, 2));
        return c.Scale(lambert).Mix(SceneColour.Grey(1f), Math.Clamp(spec, 0f, 1f));
    }

    /// <summary>Sphere shading at offset (x, y) / radius from the centre.</summary>
    private static SceneColour Sphere(SceneColour c, float x, float y, float shine)
    {
        float d2 = x * x + y * y;
        float z = MathF.Sqrt(MathF.Max(0f, 1f - d2));
        float lambert = MathF.Max(0f, -0.45f * x - 0.5f * y + 0.74f * z);
        float spec = shine * MathF.Pow(lambert, 18f);
        return c.Scale(0.3f + 0.8f * lambert).Mix(SceneColour.Grey(1f), Math.Clamp(spec, 0f, 1f));
    }

    // ---------------------------------------------------------------- background and clutter

    private static void PaintBackground(SceneCanvas canvas, Random rng)
    {
        int s = canvas.Size;
        var a = CoolColour(rng);
        var b = CoolColour(rng);
        float angle = (float)(rng.NextDouble() * Math.PI);
        float ca = MathF.Cos(angle), sa = MathF.Sin(angle);
        float period = s * (0.12f + 0.18f * (float)rng.NextDouble());
        float phase = (float)rng.NextDouble() * period;
        int kind = rng.Next(5);
        var shade = Enumerable.Range(0, 64).Select(_ => 0.85f + 0.3f * (float)rng.NextDouble()).ToArray();
        float horizon = s * (0.3f + 0.3f * (float)rng.NextDouble());
        var speckle = Enumerable.Range(0, 97).Select(_ => (float)rng.NextDouble()).ToArray();
        canvas.FillBackground((x, y) =>
        {
            float u = x * ca + y * sa + phase, v = -x * sa + y * ca + phase;
            switch (kind)
            {
                case 0: // rubber floor with speckles
                {
                    int h = (int)((uint)((int)x * 73856093 ^ (int)y * 19349663) % 97u);
                    return speckle[h] > 0.85f ? a.Mix(SceneColour.Grey(0.85f), 0.5f) : a.Scale(0.9f + 0.1f * speckle[h]);
                }
                case 1: // planks with grain
                {
                    int plank = (int)MathF.Floor(u / period);
                    var c = a.Scale(shade[((plank % 64) + 64) % 64]);
                    float grain = 0.04f * MathF.Sin(v * 0.9f + plank * 1.7f);
                    float seam = MathF.Abs(u - MathF.Round(u / period) * period) < 0.6f ? 0.6f : 1f;
                    return c.Scale((1f + grain) * seam);
                }
                case 2: // tiles with grout
                {
                    int iu = (int)MathF.Floor(u / period), iv = (int)MathF.Floor(v / period);
                    var c = ((iu + iv) & 1) == 0 ? a : b;
                    float du = u - MathF.Round(u / period) * period, dv = v - MathF.Round(v / period) * period;
                    return MathF.Min(MathF.Abs(du), MathF.Abs(dv)) < 0.7f ? SceneColour.Grey(0.55f) : c;
                }
                case 3: // exercise mat: smooth gradient
                    return a.Mix(b, Math.Clamp(u / (s * 1.4f), 0f, 1f));
                default: // wall above, floor below
                    return y < horizon ? a.Mix(SceneColour.Grey(0.85f), 0.4f).Scale(0.95f + 0.05f * MathF.Sin(x * 0.3f)) : b.Scale(0.8f);
            }
        });
    }

    /// <summary>A smooth gradient between two floor colours (its own random numbers: the scene's stream is untouched).</summary>
    private static void PaintPlainFloor(SceneCanvas canvas, Random rng)
    {
        var a = CoolColour(rng);
        var b = CoolColour(rng);
        float angle = (float)(rng.NextDouble() * Math.PI), ca = MathF.Cos(angle), sa = MathF.Sin(angle);
        float span = canvas.Size * 1.4f;
        canvas.FillBackground((x, y) => a.Mix(b, Math.Clamp((x * ca + y * sa) / span + 0.5f, 0f, 1f)));
    }

    /// <summary>Saturated 1/f colour noise: a sum of random plane waves with amplitude 1/frequency, per channel.</summary>
    private static void PaintNoise(SceneCanvas canvas, Random rng)
    {
        int s = canvas.Size;
        const int waves = 24;
        var w = new (float Kx, float Ky, float Phase, float Amp)[3, waves];
        for (int c = 0; c < 3; c++)
            for (int i = 0; i < waves; i++)
            {
                float f = 1f + (float)rng.NextDouble() * (s / 3f), a = (float)(rng.NextDouble() * 2 * Math.PI);
                w[c, i] = (2 * MathF.PI * f * MathF.Cos(a) / s, 2 * MathF.PI * f * MathF.Sin(a) / s, (float)(rng.NextDouble() * 2 * Math.PI), 1f / f);
            }
        float gain = 2.5f + 3f * (float)rng.NextDouble();
        canvas.FillBackground((x, y) =>
        {
            Span<float> v = stackalloc float[3];
            for (int c = 0; c < 3; c++)
            {
                float sum = 0;
                for (int i = 0; i < waves; i++) sum += w[c, i].Amp * MathF.Sin(w[c, i].Kx * x + w[c, i].Ky * y + w[c, i].Phase);
                v[c] = 1f / (1f + MathF.Exp(-gain * sum));
            }
            return new SceneColour(v[0], v[1], v[2]);
        });
    }

    private static void PaintClutter(SceneCanvas canvas, Random rng)
    {
        int s = canvas.Size;
        float x = s * (float)rng.NextDouble(), y = s * (float)rng.NextDouble();
        var c = CoolColour(rng, 0.8f);
        switch (rng.Next(3))
        {
            case 0: // a small flat disc (a cone or a marker seen from above): flat, so it is not a small medicine ball
            {
                float r = s * (0.025f + 0.03f * (float)rng.NextDouble());
                canvas.Paint((px, py) => Sdf.Circle(px, py, x, y, r), (_, _) => c,
                    SceneCanvas.Clutter, (x - r, y - r, x + r, y + r));
                break;
            }
            case 1: // a short stick (a band, a skipping-rope handle)
            {
                float len = s * (0.08f + 0.12f * (float)rng.NextDouble()), a = (float)(rng.NextDouble() * Math.PI);
                float x2 = x + len * MathF.Cos(a), y2 = y + len * MathF.Sin(a), r = s * 0.015f + 0.4f;
                canvas.Paint((px, py) => Sdf.Capsule(px, py, x, y, x2, y2, r), (_, _) => c, SceneCanvas.Clutter,
                    (MathF.Min(x, x2) - r, MathF.Min(y, y2) - r, MathF.Max(x, x2) + r, MathF.Max(y, y2) + r));
                break;
            }
            default: // a towel: a striped rounded rectangle
            {
                float hx = s * (0.05f + 0.08f * (float)rng.NextDouble()), hy = s * (0.04f + 0.06f * (float)rng.NextDouble());
                float a = (float)(rng.NextDouble() * Math.PI), ca = MathF.Cos(a), sa = MathF.Sin(a);
                var stripe = CoolColour(rng, 0.8f);
                float ext = hx + hy;
                canvas.Paint((px, py) =>
                {
                    float dx = px - x, dy = py - y;
                    return Sdf.RoundBox(dx * ca + dy * sa, -dx * sa + dy * ca, hx, hy, 1.5f);
                }, (px, py) =>
                {
                    float lx = (px - x) * ca + (py - y) * sa;
                    return MathF.Abs(lx) > hx * 0.7f ? stripe : c;
                }, SceneCanvas.Clutter, (x - ext, y - ext, x + ext, y + ext));
                break;
            }
        }
    }

    // ---------------------------------------------------------------- objects

    /// <summary>Paints one object; <paramref name="withoutPart"/> leaves out its named part (<see cref="GymScenes.PartNames"/>) and changes nothing else.</summary>
    private static Grip PaintObject(SceneCanvas canvas, int cls, Frame f, SceneColour colour, Random rng, bool withoutPart = false)
    {
        var metal = SceneColour.Grey(0.55f + 0.25f * (float)rng.NextDouble());
        switch (GymScenes.ClassNames[cls])
        {
            case "dumbbell":
            {
                float handle = 0.5f + 0.15f * (float)rng.NextDouble();
                float barR = 0.07f + 0.02f * (float)rng.NextDouble();
                if (!withoutPart)
                    f.Paint(canvas, (x, y) => Sdf.Capsule(x, y, -handle - 0.1f, 0, handle + 0.1f, 0, barR), (_, y) => Cylinder(metal, y / barR, 0.5f),
                        (-handle - 0.2f, -barR, handle + 0.2f, barR));
                if (rng.Next(2) == 0)
                {
                    // Fixed heads (hexagonal or round, seen from the side): one thick block per end.
                    float hw = 0.16f + 0.08f * (float)rng.NextDouble(), hh = 0.3f + 0.12f * (float)rng.NextDouble();
                    float corner = rng.Next(2) == 0 ? 0.04f : hw * 0.9f;
                    foreach (var side in new[] { -1f, 1f })
                    {
                        float c = side * (handle + hw);
                        f.Paint(canvas, (x, y) => Sdf.RoundBox(x - c, y, hw, hh, corner), (_, y) => Cylinder(colour, y / hh, 0.35f),
                            (c - hw, -hh, c + hw, hh));
                    }
                }
                else
                {
                    // Plate-loaded: a big and a small plate per side, then a collar.
                    float pw = 0.055f + 0.02f * (float)rng.NextDouble(), big = 0.36f + 0.1f * (float)rng.NextDouble();
                    foreach (var side in new[] { -1f, 1f })
                        for (int k = 0; k < 3; k++)
                        {
                            float c = side * (handle + pw + k * 2.1f * pw), hh = k == 0 ? big : k == 1 ? big * 0.8f : barR * 1.6f;
                            var col = k == 2 ? metal : colour;
                            f.Paint(canvas, (x, y) => Sdf.RoundBox(x - c, y, pw, hh, 0.02f), (_, y) => Cylinder(col, y / hh, 0.3f), (c - pw, -hh, c + pw, hh));
                        }
                }
                return f.GripAt(0, 0, 1, 0);
            }
            case "barbell":
            {
                float len = 1.75f, barR = 0.045f;
                if (!withoutPart)
                    f.Paint(canvas, (x, y) => Sdf.Capsule(x, y, -len, 0, len, 0, barR), (_, y) => Cylinder(metal, y / barR, 0.5f), (-len - barR, -barR, len + barR, barR));
                foreach (var side in new[] { -1f, 1f })
                {
                    float sleeve0 = 1.05f;
                    f.Paint(canvas, (x, y) => Sdf.Capsule(x, y, side * sleeve0, 0, side * len, 0, barR * 1.7f), (_, y) => Cylinder(metal, y / (barR * 1.7f), 0.5f),
                        (-len, -0.1f, len, 0.1f));
                    int plates = 1 + rng.Next(3);
                    float pw = 0.06f;
                    for (int k = 0; k < plates; k++)
                    {
                        float c = side * (sleeve0 + 0.1f + pw + k * 2.2f * pw), hh = 0.62f - 0.1f * k;
                        f.Paint(canvas, (x, y) => Sdf.RoundBox(x - c, y, pw, hh, 0.02f), (_, y) => Cylinder(colour, y / hh, 0.3f), (c - pw, -hh, c + pw, hh));
                    }
                }
                float gx = (rng.Next(2) == 0 ? -1 : 1) * (0.4f + 0.2f * (float)rng.NextDouble());
                return f.GripAt(gx, 0, 1, 0);
            }
            case "kettlebell":
            {
                // A thick handle with a clear window: what a person tells a kettlebell from a medicine ball by. The models
                // tell them apart without it: in the object-part probe (`object_part_effects`) the handle is worth 0.01-0.02 of
                // P(kettlebell) and a medicine ball's seams 0.7-0.9 of P(medicine ball).
                float bodyR = 0.55f, ringR = 0.38f, ringT = 0.13f, ringY = -0.5f;
                if (!withoutPart)
                    f.Paint(canvas, (x, y) => MathF.Max(MathF.Abs(Sdf.Circle(x, y, 0, ringY, ringR)) - ringT, y - ringY - 0.12f),
                        (x, y) => Cylinder(colour, (Sdf.Length(x, y - ringY) - ringR) / ringT, 0.3f), (-ringR - ringT, ringY - ringR - ringT, ringR + ringT, ringY + 0.15f));
                f.Paint(canvas, (x, y) => MathF.Max(Sdf.Circle(x, y, 0, 0.15f, bodyR), y - 0.6f),
                    (x, y) => Sphere(colour, x / bodyR, (y - 0.15f) / bodyR, 0.5f), (-bodyR, -0.4f, bodyR, 0.7f));
                return f.GripAt(0, ringY - ringR, 1, 0);
            }
            case "weight plate":
            {
                float r = 0.75f, squash = 0.75f + 0.25f * (float)rng.NextDouble();
                var hub = colour.Scale(0.7f);
                f.Paint(canvas, (x, y) => Sdf.Ellipse(x, y, r, r * squash), (x, y) =>
                {
                    float q = Sdf.Length(x / r, y / (r * squash));
                    if (q < 0.18f) return withoutPart ? metal : SceneColour.Grey(0.05f); // the centre hole
                    if (q < 0.30f) return metal;
                    if (q < 0.62f) return hub.Scale(0.9f + 0.2f * MathF.Abs(x / r));
                    float rim = (q - 0.62f) / 0.38f;
                    return colour.Scale(0.8f + 0.35f * MathF.Sin(rim * MathF.PI) - 0.15f * y / r);
                }, (-r, -r, r, r));
                return f.GripAt(r * 0.92f, 0, 0, 1);
            }
            case "medicine ball":
            {
                // Bold dark seams (an equator band and two curved ones) that survive 32-pixel renders.
                float r = 0.65f;
                var seam = SceneColour.Grey(0.08f + 0.1f * (float)rng.NextDouble());
                float bend = 0.8f + 0.3f * (float)rng.NextDouble();
                f.Paint(canvas, (x, y) => Sdf.Circle(x, y, 0, 0, r), (x, y) =>
                {
                    bool onSeam = !withoutPart && (MathF.Abs(y) < 0.07f || MathF.Abs(Sdf.Circle(x, y, bend, 0, bend - 0.1f)) < 0.06f || MathF.Abs(Sdf.Circle(x, y, -bend, 0, bend - 0.1f)) < 0.06f);
                    return Sphere(onSeam ? seam : colour, x / r, y / r, 0.35f);
                }, (-r, -r, r, r));
                return f.GripAt(0.3f, 0, 0, 1);
            }
            case "water bottle":
            {
                float hw = 0.22f + 0.06f * (float)rng.NextDouble(), hh = 0.55f;
                var cap = ObjectColour(rng);
                var label = ObjectColour(rng);
                f.Paint(canvas, (x, y) => Sdf.RoundBox(x, y - 0.1f, hw, hh, 0.1f), (x, y) =>
                {
                    if (MathF.Abs(y - 0.15f) < 0.14f) return label;
                    return Cylinder(colour, x / hw, 0.8f);
                }, (-hw, -hh + 0.1f, hw, hh + 0.1f), 0.95f);
                f.Paint(canvas, (x, y) => Sdf.RoundBox(x, y + 0.52f, hw * 0.55f, 0.08f, 0.03f), (x, _) => Cylinder(colour, x / (hw * 0.55f), 0.6f), (-hw, -0.62f, hw, -0.42f));
                if (!withoutPart)
                    f.Paint(canvas, (x, y) => Sdf.RoundBox(x, y + 0.66f, hw * 0.6f, 0.07f, 0.02f), (x, _) => Cylinder(cap, x / (hw * 0.6f), 0.3f), (-hw, -0.75f, hw, -0.57f));
                return f.GripAt(0, 0.1f, 0, 1);
            }
            default:
                throw new InvalidOperationException($"no drawing for class '{GymScenes.ClassNames[cls]}'");
        }
    }

    // ---------------------------------------------------------------- the arm

    /// <summary>
    /// An articulated arm reaching in from outside the frame: an upper arm, a bent elbow, a forearm that tapers to the
    /// wrist, and a fist closed around the grip (knuckles on the far side, fingers wrapped over the bar, a thumb).
    /// Skin tone, thickness, elbow bend, the side the arm comes from and which way the elbow bends all vary; every part
    /// is shaded as a cylinder lit from one side, so the arm reads as a limb and not as a flat bar.
    /// </summary>
    private static void PaintArm(SceneCanvas canvas, Grip grip, Random rng, int s)
    {
        var tone = SkinTone.Sample(rng);
        float t = s * (0.042f + 0.02f * (float)rng.NextDouble());
        float side = rng.Next(2) == 0 ? -1f : 1f;
        float tilt = (float)((rng.NextDouble() - 0.5) * 50.0 * Math.PI / 180.0);
        float bend = (float)((25.0 + 50.0 * rng.NextDouble()) * Math.PI / 180.0) * (rng.Next(2) == 0 ? -1f : 1f);
        float forearmLength = s * (0.30f + 0.08f * (float)rng.NextDouble());
        bool thumbFirst = rng.Next(2) == 0;

        // Forearm direction: perpendicular to the bar, tilted; the upper arm turns by the elbow's bend.
        float ax0 = -grip.Hy * side, ay0 = grip.Hx * side;
        var (ax, ay) = Rotate(ax0, ay0, tilt);
        var (ux, uy) = Rotate(ax, ay, bend);
        float hx = grip.Hx, hy = grip.Hy;

        float wx = grip.X + ax * 0.9f * t, wy = grip.Y + ay * 0.9f * t;           // wrist
        float ex = wx + ax * forearmLength, ey = wy + ay * forearmLength;        // elbow
        float sx = ex + ux * 3f * s, sy = ey + uy * 3f * s;                      // far outside the frame
        float upperR = 1.25f * t;

        // Upper arm first (the forearm is drawn over it at the elbow): a thick cylinder running out of the frame.
        canvas.Paint((px, py) => Sdf.Capsule(px, py, ex, ey, sx, sy, upperR),
            (px, py) => Cylinder(tone.Scale(0.93f), (-(px - ex) * uy + (py - ey) * ux) / upperR * side, 0.1f),
            SceneCanvas.Arm, Box(ex, ey, sx, sy, upperR + 1));
        // The elbow: a rounded joint a little wider than both segments, darker at the crease.
        float elbowR = 1.05f * upperR;
        canvas.Paint((px, py) => Sdf.Circle(px, py, ex, ey, elbowR),
            (px, py) => Sphere(tone.Scale(0.9f), (px - ex) / elbowR, (py - ey) / elbowR, 0.08f),
            SceneCanvas.Arm, (ex - elbowR, ey - elbowR, ex + elbowR, ey + elbowR));
        // Forearm: wider near the elbow (the muscle), narrow at the wrist.
        canvas.Paint((px, py) =>
        {
            float d = Sdf.SegmentDistance(px, py, wx, wy, ex, ey, out float u);
            return d - ForearmRadius(u);
        }, (px, py) =>
        {
            float along = (px - wx) * ax + (py - wy) * ay;
            float across = -(px - wx) * ay + (py - wy) * ax;
            return Cylinder(tone, across / ForearmRadius(Math.Clamp(along / forearmLength, 0f, 1f)) * side, 0.12f);
        }, SceneCanvas.Arm, Box(wx, wy, ex, ey, 1.3f * t + 1));

        float ForearmRadius(float u) => t * (0.7f + 0.55f * MathF.Sin(MathF.PI * Math.Clamp(0.15f + 0.7f * u, 0f, 1f)) * Math.Clamp(u * 2.2f, 0f, 1f) + 0.2f * u);

        // Fist: a rounded block across the bar, knuckle ridges on the far side, fingers wrapped over the bar and a thumb.
        float fcx = grip.X + ax * 0.1f * t, fcy = grip.Y + ay * 0.1f * t;
        float half = 1.2f * t, depth = 1.0f * t;
        canvas.Paint((px, py) =>
        {
            float dx = px - fcx, dy = py - fcy;
            return Sdf.RoundBox(dx * hx + dy * hy, dx * ax + dy * ay, half, depth, 0.55f * t);
        }, (px, py) =>
        {
            float dx = px - fcx, dy = py - fcy;
            float lh = dx * hx + dy * hy, la = dx * ax + dy * ay;
            var c = Sphere(tone, lh / (half * 1.3f), la / (depth * 1.3f), 0.1f);
            // Fingers: four bands across the fist, separated by dark creases, brighter knuckles at the far edge.
            float k = (lh / half + 1f) * 2f;
            float frac = k - MathF.Floor(k);
            if (MathF.Abs(lh) < 0.95f * half && (frac < 0.14f || frac > 0.86f)) c = c.Scale(0.68f);
            else if (la < -0.55f * depth) c = c.Mix(SceneColour.Grey(1f), 0.12f);
            return c;
        }, SceneCanvas.Hand, (fcx - 1.8f * t, fcy - 1.8f * t, fcx + 1.8f * t, fcy + 1.8f * t));
        float ts = thumbFirst ? 1f : -1f;
        float t0x = grip.X + hx * ts * 1.0f * t + ax * 0.6f * t, t0y = grip.Y + hy * ts * 1.0f * t + ay * 0.6f * t;
        float t1x = grip.X + hx * ts * 0.45f * t - ax * 0.5f * t, t1y = grip.Y + hy * ts * 0.45f * t - ay * 0.5f * t;
        float tr = 0.33f * t;
        canvas.Paint((px, py) => Sdf.Capsule(px, py, t0x, t0y, t1x, t1y, tr), (px, py) =>
        {
            float across = (px - t0x) * hx + (py - t0y) * hy;
            return Cylinder(tone.Scale(0.95f), across / tr * ts, 0.15f);
        }, SceneCanvas.Hand, (MathF.Min(t0x, t1x) - tr, MathF.Min(t0y, t1y) - tr, MathF.Max(t0x, t1x) + tr, MathF.Max(t0y, t1y) + tr));
    }

    private static (float X, float Y) Rotate(float x, float y, float angle) =>
        (x * MathF.Cos(angle) - y * MathF.Sin(angle), x * MathF.Sin(angle) + y * MathF.Cos(angle));

    private static (float, float, float, float) Box(float x0, float y0, float x1, float y1, float pad) =>
        (MathF.Min(x0, x1) - pad, MathF.Min(y0, y1) - pad, MathF.Max(x0, x1) + pad, MathF.Max(y0, y1) + pad);
}
