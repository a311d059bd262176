using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// A labelled grid of gym renders (the first n training rows of a variant), optionally each followed by its masks and
/// by the same scene without the part its object is named by (the object-part probe's pairs).
/// </summary>
public static class GymPreview
{
    public static Figure Draw(GymOptions options, int count, int seed, bool masks = false, int scale = 0, bool parts = false)
    {
        var tiles = Tiles(options, count, seed, masks, parts);
        if (scale <= 0) scale = Math.Max(1, 128 / options.Size);
        string title = $"gym {options.Variant.ToString().ToLowerInvariant()} " + (options.Variant == GymVariant.Biased
            ? $"(p_dumbbell_arm {options.PDumbbellArm:G3}, p_other_arm {options.POtherArm:G3})"
            : $"(p_arm {options.PArm:G3})") + $", seed {seed}";
        int perRender = 1 + (masks ? 1 : 0) + (parts ? 1 : 0);
        int columns = perRender == 1 ? (int)Math.Ceiling(Math.Sqrt(count)) : perRender * (perRender == 2 ? 4 : 3);
        return ContactSheet.Draw(tiles.Select(t => t.Image).ToList(), columns, scale, tiles.Select(t => t.Caption).ToList(), title);
    }

    /// <summary>
    /// The grid's tiles in order: each render, then (with <paramref name="masks"/>) its mask image, then (with
    /// <paramref name="parts"/>) the same scene without its object's part (<see cref="GymSceneRequest.WithoutPart"/>).
    /// </summary>
    public static IReadOnlyList<(ImageData Image, string Caption)> Tiles(GymOptions options, int count, int seed, bool masks = false, bool parts = false)
    {
        options.Validate();
        if (count < 1) throw new LabException($"preview needs at least 1 image, got {count}");
        var stream = GymScenes.SplitSeed(seed, 1);
        var tiles = new List<(ImageData, string)>();
        for (int i = 0; i < count; i++)
        {
            var request = GymScenes.Request(options, stream, i);
            var r = GymRenderer.Render(request);
            tiles.Add((new ImageData(3, r.Size, r.Size, r.Pixels), GymScenes.ClassNames[r.Label] + (r.Arm ? "+arm" : "")));
            if (masks) tiles.Add((MaskImage(r), "mask"));
            if (parts)
            {
                var without = GymRenderer.Render(request with { WithoutPart = true });
                tiles.Add((new ImageData(3, without.Size, without.Size, without.Pixels), $"without {GymScenes.PartNames[r.Label]}"));
            }
        }
        return tiles;
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
