using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;

namespace RobustnessLab.Tests.Experiments;

/// <summary>Untrained models over 3x32x32 gym renders, for tests of what the dumbbell measurements compute (not of what they find).</summary>
internal static class GymTestModels
{
    /// <summary>A seeded, untrained small cnn (width 8, hidden 16) with the given class names, on one thread, in eval mode.</summary>
    public static Classifier Untrained(IReadOnlyList<string> classNames, int seed)
    {
        LabContext.Create("cpu", 0, threads: 1);
        torch.manual_seed(seed);
        var spec = ModelZoo.Spec("cnn", [3, 32, 32], classNames, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f],
            new Dictionary<string, double> { ["width"] = 8, ["hidden"] = 16 });
        var model = ModelZoo.Create(spec);
        model.eval();
        return model;
    }
}
