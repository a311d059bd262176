using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>A labelled grid of gym renders (the first n training rows of a variant), optionally with their masks.</summary>
public static class GymPreview
{
    public static Figure Draw(GymOptions options, int count, int seed, bool masks = false, int scale = 0)
    {
        options.Validate();
        if (count < 1) throw new LabException($"preview needs at least 1 image, got {count}");
        if (scale <= 0) scale = Math.Max(1, 128 / options.Size);
        var stream = GymScenes.SplitSeed(seed, 1);
        var images = new List<ImageData>();
        var captions = new List<string>();
        for (int i = 0; i < count; i++)
        {
            var r = GymRenderer.Render(GymScenes.Request(options, stream, i));
            images.Add(new ImageData(3, r.Size, r.Size, r.Pixels));
            captions.Add(GymScenes.ClassNames[r.Label] + (r.Arm ? "+arm" : ""));
            if (masks) images.Add(MaskImage(r));
            if (masks) captions.Add("mask");
        }
        string title = $"gym {options.Variant.ToString().ToLowerInvariant()} " + (options.Variant == GymVariant.Biased
            ? $"(p_dumbbell_arm {options.PDumbbellArm:G3}, p_other_arm {options.POtherArm:G3})"
            : $"(p_arm {options.PArm:G3})") + $", seed {seed}";
        int columns = masks ? 8 : (int)Math.Ceiling(Math.Sqrt(count));
        return ContactSheet.Draw(images, columns, scale, captions, title);
    }

    /// <summary>Object mask in blue, arm mask in orange, on black.</summary>
    public static ImageData MaskImage(GymRender r)
    {
        int n = r.Size * r.Size;
        var p = new float[3 * n];
        for (int i = 0; i < n; i++)
        {
            if (r.ObjectMask[i]) { p[i] = 0.2f; p[n + i] = 0.4f; p[2 * n + i] = 1f; }
            if (r.ArmMask[i]) { p[i] = 1f; p[n + i] = 0.6f; p[2 * n + i] = 0.2f; }
        }
        return new ImageData(3, r.Size, r.Size, p);
    }
}
