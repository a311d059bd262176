using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Models;
using TorchSharp;

namespace RobustnessLab.FeatureVis;

/// <summary>Timing of one class visualisation, for `lab bench` (target: 512 steps at 64x64 in at most 20 s on 2 cores).</summary>
public static class FeatureVisBench
{
    public sealed record Timing(int Steps, int ImageSize, int Threads, double Seconds, double StepsPerSecond);

    /// <summary>
    /// Visualises one class of an untrained gym-shaped cnn (width 32, 6 classes; the cost does not depend on the
    /// weights) with the default settings: Fourier, decorrelated colour, standard transforms, one seed.
    /// </summary>
    public static Timing TimeClassVisualization(LabContext context, int steps = 512, int imageSize = 64, CancellationToken cancel = default)
    {
        torch.manual_seed(context.Seed);
        var spec = ModelZoo.Spec("cnn", [3, imageSize, imageSize], GymScenes.ClassNames, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f],
            new Dictionary<string, double> { ["width"] = 32, ["hidden"] = 64 });
        using var model = ModelZoo.Create(spec, context.Device);
        model.eval();
        var sw = Stopwatch.StartNew();
        FeatureVisualizer.Render(model, Objectives.ClassLogit(GymScenes.DumbbellIndex, "dumbbell"), new VisualizationOptions { Steps = steps }, cancel: cancel);
        double s = sw.Elapsed.TotalSeconds;
        return new Timing(steps, imageSize, context.Threads, s, steps / s);
    }
}
