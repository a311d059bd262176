using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// What the dumbbell experiment measures on one trained model: the arm scores of its dumbbell visualisations (the
/// independent arm detector's P(arm) and the share of Integrated Gradients attribution on skin-hued pixels) and its
/// answers to the counterfactual probes.
/// </summary>
public static class DumbbellMeasurement
{
    /// <summary>Measures one model from its class visualisations (one result per class) and the probe renders.</summary>
    public static DumbbellModelReport Measure(DumbbellModels.Trained m, IReadOnlyList<VisualizationResult> vis, Classifier detector, DumbbellProbes probes,
        DumbbellOptions o)
    {
        int d = GymScenes.DumbbellIndex, size = o.Size;
        var classes = GymScenes.ClassNames;
        static int Argmax(float[] p) => Array.IndexOf(p, p.Max());

        var armOnly = Probabilities(m.Model, probes.ArmOnly, size);
        var armAtDumbbell = Probabilities(m.Model, probes.ArmAtDumbbellGrip, size);
        var noArm = Probabilities(m.Model, probes.DumbbellNoArm, size);
        var withArm = Probabilities(m.Model, probes.DumbbellArm, size);
        var other = Probabilities(m.Model, probes.OtherHeld, size);

        // Arm scores of the dumbbell visualisations.
        var dumbbellVis = vis[d].Images;
        var detectorP = DetectorArmProbability(detector, dumbbellVis);
        var skinShare = new List<double>();
        var skinPixels = new List<double>();
        foreach (var img in dumbbellVis)
        {
            var mask = SkinTone.Mask(img.Pixels, img.Height, img.Width);
            var grey = new ImageData(img.Channels, img.Height, img.Width, Enumerable.Repeat(0.5f, img.Pixels.Length).ToArray());
            var ig = Attribution.Compute(m.Model, img, d, AttributionMethod.IntegratedGradients, samples: 32, baseline: grey);
            skinShare.Add(Attribution.PositiveShare(ig, mask));
            skinPixels.Add(mask.Count(b => b) / (double)mask.Length);
        }
        var byClass = new Dictionary<string, double>();
        var confidence = new Dictionary<string, double>();
        int calledArm = 0, total = 0, calledArmOthers = 0, totalOthers = 0;
        for (int c = 0; c < classes.Count; c++)
        {
            var pc = DetectorArmProbability(detector, vis[c].Images);
            byClass[classes[c]] = pc.Average();
            calledArm += pc.Count(v => v >= 0.5);
            total += pc.Count;
            if (c != d)
            {
                calledArmOthers += pc.Count(v => v >= 0.5);
                totalOthers += pc.Count;
            }
            confidence[classes[c]] = vis[c].ClassProbabilities.Average(p => p[c]);
        }
        return new DumbbellModelReport
        {
            CleanAccuracy = m.CleanAccuracy,
            TrainAccuracy = m.TrainAccuracy,
            ArmScoreDetector = MeanSd.Of(detectorP),
            ArmScoreSkin = MeanSd.Of(skinShare),
            SkinPixelShare = MeanSd.Of(skinPixels),
            VisualizationPDumbbell = MeanSd.Of(vis[d].ClassProbabilities.Select(p => p[d]).ToList()),
            PDumbbellArmOnly = armOnly.Average(p => p[d]),
            PDumbbellArmAtDumbbellGrip = armAtDumbbell.Average(p => p[d]),
            ArmOnlyMeanProbabilities = Enumerable.Range(0, classes.Count).ToDictionary(c => classes[c], c => armOnly.Average(p => (double)p[c])),
            ArmOnlyPredictedDumbbell = armOnly.Count(p => Argmax(p) == d) / (double)armOnly.Length,
            AccuracyDumbbellNoArm = noArm.Count(p => Argmax(p) == d) / (double)noArm.Length,
            AccuracyDumbbellWithArm = withArm.Count(p => Argmax(p) == d) / (double)withArm.Length,
            OtherHeldPredictedDumbbell = other.Count(p => Argmax(p) == d) / (double)other.Length,
            AccuracyOtherHeld = other.Select((p, i) => Argmax(p) == probes.OtherHeld[i].Label).Count(b => b) / (double)other.Length,
            ArmScoreByClass = byClass,
            ArmCalledShareAllClasses = calledArm / (double)total,
            ArmCalledShareOtherClasses = calledArmOthers / (double)totalOthers,
            VisualizationConfidence = confidence,
            Checkpoint = m.Checkpoint,
            Visualizations = vis,
        };
    }

    /// <summary>The arm detector's P(arm) for each image.</summary>
    public static List<double> DetectorArmProbability(Classifier detector, IReadOnlyList<ImageData> images)
    {
        using var scope = NewDisposeScope();
        var x = cat(images.Select(i => i.ToTensor(detector.Device)).ToList(), 0);
        var p = nn.functional.softmax(detector.Predict(x), 1).select(1, 1).cpu().data<float>().ToArray();
        return p.Select(v => (double)v).ToList();
    }

    private static float[][] Probabilities(Classifier model, IReadOnlyList<GymRender> renders, int size)
    {
        using var scope = NewDisposeScope();
        using var ds = GymScenes.ToDataset(renders.ToList(), size, "probe", model.Device, _ => 0);
        var p = nn.functional.softmax(model.Predict(ds.Images), 1).cpu();
        return Enumerable.Range(0, renders.Count).Select(i => p[i].data<float>().ToArray()).ToArray();
    }
}
