using RobustnessLab.Core;
using static TorchSharp.torch;

namespace RobustnessLab.Data.Gym;

/// <summary>
/// The procedural "gym" dataset: RGB scenes of gym equipment, some gripped by a skin-toned arm, rendered from a seed
/// with no download. Built to reproduce Mordvintsev, Olah and Tyka's "Inceptionism" (2015) observation that a
/// network asked to draw a dumbbell draws an arm too, because nearly every training dumbbell was held.
/// Train, validation and test rows come from independent seed streams; classes are balanced (row i has class
/// i mod K). Whether row i is held is drawn from its own stream, so the biased and the debiased sets with the same
/// seed show the same scenes and differ only in the arms.
/// </summary>
public static class GymScenes
{
    public const string Name = "gym";

    public static readonly IReadOnlyList<string> ClassNames =
        ["dumbbell", "barbell", "kettlebell", "weight plate", "medicine ball", "water bottle"];

    public const int DumbbellIndex = 0;

    /// <summary>
    /// Per class, the part a person names the object by, which <see cref="GymSceneRequest.WithoutPart"/> leaves out:
    /// a plate's hole is filled with the hub's metal; the other parts are not drawn.
    /// </summary>
    public static readonly IReadOnlyList<string> PartNames = ["bar", "bar", "handle", "hole", "seams", "cap"];

    /// <summary>Index of a class by name (case-insensitive); the error lists the valid names.</summary>
    public static int ClassIndex(string name)
    {
        for (int i = 0; i < ClassNames.Count; i++)
            if (string.Equals(ClassNames[i], name, StringComparison.OrdinalIgnoreCase)) return i;
        throw new LabException($"unknown gym class '{name}'; valid: {string.Join(", ", ClassNames)}");
    }

    /// <summary>Train / validation / test splits for the registry ("gym").</summary>
    public static DataSplits Load(DataOptions data, Device? device = null)
    {
        var o = GymOptions.From(data);
        return Load(o, data.Seed, device);
    }

    public static DataSplits Load(GymOptions options, int seed, Device? device = null)
    {
        options.Validate();
        if (options.Train == 0 || options.Test == 0) throw new LabException("gym: train and test counts must be positive");
        var splits = new DataSplits(
            Generate(options, options.Train, SplitSeed(seed, 1), device),
            Generate(options, options.Validation, SplitSeed(seed, 2), device),
            Generate(options, options.Test, SplitSeed(seed, 3), device));
        return splits with { SplitSeed = seed };
    }

    /// <summary>The seed of one split's stream.</summary>
    public static long SplitSeed(int seed, int split) => (long)LabContext.DeriveSeed(seed, 0x6E00 + split);

    /// <summary>The request for row <paramref name="index"/> of a stream.</summary>
    public static GymSceneRequest Request(GymOptions options, long streamSeed, int index)
    {
        int cls = index % ClassNames.Count;
        var held = new Random((int)(LabContext.DeriveSeed(streamSeed, 2L * index + 1) & 0x7fffffff));
        bool arm = held.NextDouble() < options.ArmProbability(cls);
        // Drawn after the arm, so a share of 0 leaves every request as it was.
        bool plain = options.PlainFloorShare > 0 && held.NextDouble() < options.PlainFloorShare;
        return new GymSceneRequest(options.Size, cls, arm, (long)LabContext.DeriveSeed(streamSeed, 2L * index), PlainFloor: plain);
    }

    /// <summary>Renders rows 0..count-1 of a stream into a dataset (labels = object classes).</summary>
    public static Dataset Generate(GymOptions options, int count, long streamSeed, Device? device = null, string name = Name) =>
        ToDataset(CpuParallel.Map(count, i => GymRenderer.Render(Request(options, streamSeed, i))), options.Size, name, device,
            r => r.Label);

    /// <summary>
    /// Packs renders into a dataset. <paramref name="label"/> picks each row's label (the object class, or e.g. "has an
    /// arm" for the arm detector); <paramref name="classNames"/> defaults to the gym classes.
    /// </summary>
    public static Dataset ToDataset(IReadOnlyList<GymRender> renders, int size, string name, Device? device, Func<GymRender, int> label,
        IReadOnlyList<string>? classNames = null)
    {
        int per = 3 * size * size;
        var pixels = new float[(long)renders.Count * per];
        var labels = new long[renders.Count];
        for (int i = 0; i < renders.Count; i++)
        {
            Array.Copy(renders[i].Pixels, 0, pixels, (long)i * per, per);
            labels[i] = label(renders[i]);
        }
        using var scope = NewDisposeScope();
        var x = tensor(pixels, new long[] { renders.Count, 3, size, size });
        var y = tensor(labels);
        if (device is not null) { x = x.to(device); y = y.to(device); }
        return new Dataset(name, x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), classNames ?? ClassNames);
    }
}
