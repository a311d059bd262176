using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using RobustnessLab.Training;

namespace RobustnessLab.Dumbbell;

/// <summary>Timing of the dumbbell experiment's visualisation of a robust model, for `lab bench`.</summary>
public static class DumbbellBench
{
    /// <summary>
    /// A cnn of the experiment's architecture at <paramref name="imageSize"/> pixels, adversarially trained (the
    /// experiment's objective and budget) for one short epoch on 512 biased gym renders (not timed), then one class
    /// drawn with the experiment's visualisation settings for <paramref name="steps"/> steps (timed). The time depends on
    /// the settings and the architecture, not on how long the model trained.
    /// </summary>
    /// <param name="method">"lucid" (activation maximisation with the experiment's parametrisation and transforms) or "synthesis" (robust synthesis from a start drawn as the experiment draws them).</param>
    public static FeatureVisBench.Timing TimeRobustVisualization(LabContext context, int steps = 512, int imageSize = 64, CancellationToken cancel = default, string method = "lucid")
    {
        var o = new DumbbellOptions { Size = imageSize, VisSteps = steps, VisImageSize = 0, Epochs = 1, VisMethod = method, VisStartResolution = 8 };
        o.Validate();
        using var data = GymScenes.Load(new GymOptions { Size = imageSize, Train = 512, Validation = 0, Test = 64 }, context.Seed, context.Device);
        var (mean, std) = Trainer.ChannelStatistics(data.Train);
        var spec = ModelZoo.Spec(o.Architecture, [3, imageSize, imageSize], GymScenes.ClassNames, mean, std, DumbbellModels.ModelArgs(o));
        var trainer = new Trainer(context);
        using var model = trainer.CreateModel(spec, context.Seed);
        trainer.Train(model, data, DumbbellModels.ModelTrainingSettings(o), datasetName: "gym", cancel: cancel);
        using var starts = method == "synthesis" ? DumbbellModels.SynthesisStarts(o with { VisSeeds = 1 }, [context.Seed], context.Device).narrow(0, GymScenes.DumbbellIndex, 1) : null;
        var sw = Stopwatch.StartNew();
        if (starts is not null)
            RobustSynthesis.Render(model, [GymScenes.DumbbellIndex], starts, new SynthesisOptions { Steps = steps, Epsilon = o.VisEpsilon }, [context.Seed], cancel: cancel);
        else
            FeatureVisualizer.Render(model, Objectives.ClassLogit(GymScenes.DumbbellIndex, "dumbbell"), DumbbellModels.VisualizationSettings(o, [context.Seed]), cancel: cancel);
        double s = sw.Elapsed.TotalSeconds;
        return new FeatureVisBench.Timing(steps, imageSize, context.Threads, s, steps / s);
    }
}
