using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;

namespace RobustnessLab.Tests.FeatureVis;

/// <summary>
/// Small untrained classifiers for fast feature-visualisation tests (weights from a fixed seed). Width 16 at 32 px
/// is one of the zoo's real configurations: libtorch's batched conv2d input gradient is only wrong for tiny
/// convolutions (3 -> 4 channels on 8-16 px), which the lab's models never use.
/// </summary>
internal static class TinyModels
{
    public static readonly string[] Classes = ["a", "b", "c", "d"];

    public static Classifier Cnn(int channels = 3, int size = 32, int seed = 1)
    {
        LabContext.Create("cpu", seed, threads: 1);
        torch.manual_seed(seed);
        var spec = ModelZoo.Spec("cnn", [channels, size, size], Classes,
            Enumerable.Repeat(0.5f, channels).ToArray(), Enumerable.Repeat(0.25f, channels).ToArray(),
            new Dictionary<string, double> { ["width"] = 16, ["hidden"] = 16 });
        var model = ModelZoo.Create(spec);
        model.eval();
        return model;
    }
}
