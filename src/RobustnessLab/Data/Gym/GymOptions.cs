using System.Globalization;
using RobustnessLab.Core;

namespace RobustnessLab.Data.Gym;

/// <summary>
/// Settings of the procedural gym dataset. From the command line or a config they arrive as
/// <see cref="DataOptions.Options"/> strings: size, variant, p_dumbbell_arm, p_other_arm, p_arm, train, val, test.
/// </summary>
public sealed record GymOptions
{
    /// <summary>Image side in pixels (square RGB images).</summary>
    public int Size { get; init; } = 64;

    public GymVariant Variant { get; init; } = GymVariant.Biased;

    /// <summary>Biased variant: probability that a dumbbell is held by an arm.</summary>
    public double PDumbbellArm { get; init; } = 0.95;

    /// <summary>Biased variant: probability that any other object is held.</summary>
    public double POtherArm { get; init; }

    /// <summary>Debiased variant: the one probability every class is held with.</summary>
    public double PArm { get; init; } = 0.5;

    public int Train { get; init; } = 4000;

    public int Validation { get; init; } = 500;

    public int Test { get; init; } = 1000;

    /// <summary>
    /// Share of scenes drawn on a plain floor (<see cref="GymSceneRequest.PlainFloor"/>) instead of a textured one: 0 for
    /// the classes' data; the dumbbell experiment's generator prior may learn from plain floors. Not a data option.
    /// </summary>
    public double PlainFloorShare { get; init; }

    public static readonly IReadOnlyList<string> Keys = ["size", "variant", "p_dumbbell_arm", "p_other_arm", "p_arm", "train", "val", "test"];

    /// <summary>Probability that an object of the given class is held, under this variant.</summary>
    public double ArmProbability(int classIndex) => Variant == GymVariant.Debiased
        ? PArm
        : classIndex == GymScenes.DumbbellIndex ? PDumbbellArm : POtherArm;

    public GymOptions Validate()
    {
        if (Size < GymRenderer.MinimumSize) throw new LabException($"gym: size must be at least {GymRenderer.MinimumSize} pixels, got {Size}");
        if (Size > 1024) throw new LabException($"gym: size must be at most 1024 pixels, got {Size}");
        CheckProbability("p_dumbbell_arm", PDumbbellArm);
        CheckProbability("p_other_arm", POtherArm);
        CheckProbability("p_arm", PArm);
        CheckProbability("plain floor share", PlainFloorShare);
        if (Train < 0 || Validation < 0 || Test < 0) throw new LabException($"gym: counts must be >= 0, got train {Train}, val {Validation}, test {Test}");
        return this;
    }

    private static void CheckProbability(string name, double p)
    {
        if (!(p >= 0 && p <= 1)) throw new LabException($"gym: {name} must be a probability in [0, 1], got {p.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>Reads the gym settings from generic data options; unknown keys and malformed values are errors.</summary>
    public static GymOptions From(DataOptions data)
    {
        var o = new GymOptions
        {
            Validation = Math.Min(data.ValidationSize, 500),
        };
        if (data.Options is null) return Limit(o, data).Validate();
        foreach (var (key, value) in data.Options)
        {
            switch (key.ToLowerInvariant())
            {
                case "size": o = o with { Size = Int(key, value) }; break;
                case "variant":
                    o = o with
                    {
                        Variant = value.ToLowerInvariant() switch
                        {
                            "biased" => GymVariant.Biased,
                            "debiased" => GymVariant.Debiased,
                            _ => throw new LabException($"gym: variant must be biased or debiased, got '{value}'"),
                        },
                    };
                    break;
                case "p_dumbbell_arm": o = o with { PDumbbellArm = Number(key, value) }; break;
                case "p_other_arm": o = o with { POtherArm = Number(key, value) }; break;
                case "p_arm": o = o with { PArm = Number(key, value) }; break;
                case "train": o = o with { Train = Int(key, value) }; break;
                case "val": o = o with { Validation = Int(key, value) }; break;
                case "test": o = o with { Test = Int(key, value) }; break;
                default: throw new LabException($"gym: unknown option '{key}'; valid: {string.Join(", ", Keys)}");
            }
        }
        return Limit(o, data).Validate();
    }

    private static GymOptions Limit(GymOptions o, DataOptions data) => o with
    {
        Train = data.TrainLimit > 0 ? Math.Min(o.Train, data.TrainLimit) : o.Train,
        Test = data.TestLimit > 0 ? Math.Min(o.Test, data.TestLimit) : o.Test,
    };

    private static double Number(string key, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw new LabException($"gym: {key} must be a number, got '{value}'");

    private static int Int(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new LabException($"gym: {key} must be an integer, got '{value}'");
}
