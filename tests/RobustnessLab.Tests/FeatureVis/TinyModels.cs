using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;

namespace RobustnessLab.Tests.FeatureVis;

/// <summary>Small untrained classifiers for fast feature-visualisation tests (weights from a fixed seed).</summary>
internal static class TinyModels
{
    public static readonly string[] Classes = ["a", "b", "c", "d"];

    public static Classifier Cnn(int channels = 3, int size = 16, int seed = 1)
    {
        LabContext.Create("cpu", seed, threads: 1);
        torch.manual_seed(seed);
        var spec = ModelZoo.Spec("cnn", [channels, size, size], Classes,
            Enumerable.Repeat(0.5f, channels).ToArray(), Enumerable.Repeat(0.25f, channels).ToArray(),
            new Dictionary<string, double> { ["width"] = 4, ["hidden"] = 8 });
        var model = ModelZoo.Create(spec);
        model.eval();
        return model;
    }
}
