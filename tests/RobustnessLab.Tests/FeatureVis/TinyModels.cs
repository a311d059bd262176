using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;

namespace RobustnessLab.Tests.FeatureVis;

/// <summary>
/// Small untrained classifiers for fast feature-visualisation tests (weights from a fixed seed). Tests that take
/// input gradients of a batch (the visualiser optimises a batch in one pass) use <see cref="ZooCnn"/>, one of the
/// zoo's real configurations: libtorch's batched conv2d input gradient is wrong only for tiny convolutions
/// (3 -> 4 channels on 8-16 px), which the lab's models never use.
/// </summary>
internal static class TinyModels
{
    public static readonly string[] Classes = ["a", "b", "c", "d"];

    public static Classifier Cnn(int channels = 3, int size = 16, int seed = 1, int width = 16, int hidden = 8)
    {
        LabContext.Create("cpu", seed, threads: 1);
        torch.manual_seed(seed);
        var spec = ModelZoo.Spec("cnn", [channels, size, size], Classes,
            Enumerable.Repeat(0.5f, channels).ToArray(), Enumerable.Repeat(0.25f, channels).ToArray(),
            new Dictionary<string, double> { ["width"] = width, ["hidden"] = hidden });
        var model = ModelZoo.Create(spec);
        model.eval();
        return model;
    }

    /// <summary>3 -> 16 channels at 32 px (RGB) or 1 -> 32 at 28 px (greyscale), as the zoo's gym and Fashion-MNIST cnns.</summary>
    public static Classifier ZooCnn(int channels = 3, int seed = 1) =>
        channels == 1 ? Cnn(1, 28, seed, width: 32, hidden: 16) : Cnn(channels, 32, seed, width: 16, hidden: 16);
}
