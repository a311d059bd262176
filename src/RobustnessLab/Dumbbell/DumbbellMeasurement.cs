using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Evaluation;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// The measurements of the dumbbell experiment, for one model at a time: what the judge reads in its class
/// visualisations, the paired causal arm effect, the arm-alone and held-object probes, and (when trained) the arm
/// detector's scores.
/// </summary>
public static class DumbbellMeasurement
{
    /// <summary>Measures one model from its class visualisations (one result per class) and the probe renders.</summary>
    public static DumbbellModelReport Measure(DumbbellModels.Trained m, IReadOnlyList<VisualizationResult> vis, Classifier? judge, Classifier? detector,
        DumbbellProbes probes, DumbbellOptions o)
    {
        int d = GymScenes.DumbbellIndex, size = o.Size;
        var classes = GymScenes.ClassNames;
        static int Argmax(float[] p) => Array.IndexOf(p, p.Max());

        var armOnly = Probabilities(m.Model, probes.ArmOnly, size);
        var armAtDumbbell = Probabilities(m.Model, probes.ArmAtDumbbellGrip, size);
        var noArm = Probabilities(m.Model, probes.DumbbellNoArm, size);
        var withArm = Probabilities(m.Model, probes.DumbbellArm, size);
        var other = Probabilities(m.Model, probes.OtherHeld, size);
        var pairedWith = Probabilities(m.Model, probes.OtherWithArm, size);
        var pairedWithout = Probabilities(m.Model, probes.OtherWithoutArm, size);
        var effect = Effect.Of(pairedWith.Select((p, i) => (double)p[d] - pairedWithout[i][d]).ToList());
        // The same pairs with one part of the arm erased: which part carries the arm effect.
        var parts = ArmParts(probes.OtherWithArm, probes.OtherWithoutArm);
        Effect PartEffect(IReadOnlyList<GymRender> renders) =>
            Effect.Of(Probabilities(m.Model, renders, size).Select((p, i) => (double)p[d] - pairedWithout[i][d]).ToList());
        var objectParts = ObjectPartEffects(m.Model, probes.Intact, probes.WithoutPart, size);

        // The judge's reading of every class's visualisations.
        var judgeArm = new Dictionary<string, double>();
        var reading = new Dictionary<string, string>();
        MeanSd judgeDumbbell = MeanSd.Of([]), judgeObject = MeanSd.Of([]);
        int legible = 0, held = 0;
        if (judge is not null)
            for (int c = 0; c < classes.Count; c++)
            {
                var verdicts = DumbbellJudge.Assess(judge, vis[c].Images);
                judgeArm[classes[c]] = verdicts.Average(v => v.PArm);
                if (c == d)
                {
                    judgeDumbbell = MeanSd.Of(verdicts.Select(v => v.PArm).ToList());
                    // Object probabilities: index 0 is "no object", class c is at c + 1.
                    judgeObject = MeanSd.Of(verdicts.Select(v => v.ObjectProbabilities[d + 1]).ToList());
                    held = verdicts.Count(v => v.Object == d && v.PArm >= 0.5);
                }
                var mode = verdicts.GroupBy(v => v.Object).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
                // Legible: the judge reads the class in a strict majority of the seeds.
                bool isLegible = mode.Key == c && mode.Count() * 2 > verdicts.Count;
                if (isLegible) legible++;
                reading[classes[c]] = mode.Key < 0 ? "none" : classes[mode.Key];
            }

        // The Integrated-Gradients share on skin-hued pixels, and the arm detector's scores.
        // Pictures drawn larger than the model's input are judged as the model saw them: resized to its input.
        var dumbbellVis = vis[d].Images.Select(i => Resized(i, m.Model.Spec.Height, m.Model.Spec.Width)).ToList();
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
        MeanSd? detectorP = null;
        Dictionary<string, double>? byClass = null;
        double? calledAll = null, calledOthers = null;
        if (detector is not null)
        {
            detectorP = MeanSd.Of(DetectorArmProbability(detector, dumbbellVis));
            byClass = new Dictionary<string, double>();
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
            }
            calledAll = calledArm / (double)total;
            calledOthers = calledArmOthers / (double)totalOthers;
        }
        var confidence = new Dictionary<string, double>();
        for (int c = 0; c < classes.Count; c++) confidence[classes[c]] = vis[c].ClassProbabilities.Average(p => p[c]);
        return new DumbbellModelReport
        {
            CleanAccuracy = m.CleanAccuracy,
            TrainAccuracy = m.TrainAccuracy,
            JudgeArmScore = judge is null ? null : judgeDumbbell,
            JudgeLegibleClasses = judge is null ? null : legible,
            JudgeDumbbellScore = judge is null ? null : judgeObject,
            JudgeHeldDumbbells = judge is null ? null : held,
            JudgeReading = judge is null ? null : reading,
            JudgeArmScoreByClass = judge is null ? null : judgeArm,
            ArmEffect = effect,
            ArmEffectHandOnly = PartEffect(parts.HandOnly),
            ArmEffectWithoutHand = PartEffect(parts.WithoutHand),
            HandPixelShare = parts.HandPixelShare,
            ObjectPartEffects = objectParts,
            ArmScoreDetector = detectorP,
            SeedSpread = SeedSpread(vis[d].Images),
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
            ArmCalledShareAllClasses = calledAll,
            ArmCalledShareOtherClasses = calledOthers,
            VisualizationConfidence = confidence,
            Checkpoint = m.Checkpoint,
            Visualizations = vis,
        };
    }

    /// <summary>
    /// The paired scenes with part of the arm erased: with only the hand (the rest of the arm erased), and with the arm
    /// but not its hand. A part is erased by taking the arm-free render's pixels over the part's mask and its one-pixel
    /// anti-aliased rim (the rim shared with the other part stays). Also the hand's mean share of the arm's visible
    /// pixels.
    /// </summary>
    public static ArmPartScenes ArmParts(IReadOnlyList<GymRender> with, IReadOnlyList<GymRender> without)
    {
        var handOnly = new List<GymRender>(with.Count);
        var withoutHand = new List<GymRender>(with.Count);
        var shares = new List<double>();
        for (int i = 0; i < with.Count; i++)
        {
            var a = with[i];
            var b = without[i];
            int s = a.Size, n = s * s;
            var hand = a.HandMask;
            var rest = a.ArmMask.Select((v, j) => v && !hand[j]).ToArray();
            var handRim = PixelMask.Dilate(hand, s);
            var restRim = PixelMask.Dilate(rest, s);
            float[] Keep(Func<int, bool> fromWith)
            {
                var pixels = (float[])b.Pixels.Clone();
                for (int j = 0; j < n; j++)
                    if (fromWith(j))
                        for (int c = 0; c < 3; c++) pixels[c * n + j] = a.Pixels[c * n + j];
                return pixels;
            }
            handOnly.Add(a with { Pixels = Keep(j => handRim[j] && !rest[j]), ArmMask = hand });
            withoutHand.Add(a with { Pixels = Keep(j => restRim[j] && !hand[j]), ArmMask = rest, HandMask = new bool[n] });
            int armPixels = a.ArmMask.Count(v => v);
            if (armPixels > 0) shares.Add(hand.Count(v => v) / (double)armPixels);
        }
        return new ArmPartScenes(handOnly, withoutHand, shares.Count == 0 ? 0 : shares.Average());
    }

    /// <summary>
    /// Per class (keyed by name), what the part the class is named by is worth to <paramref name="model"/>: the pairs
    /// of <paramref name="whole"/> and <paramref name="withoutPart"/> renders (the same scenes) whose label is that
    /// class, P(class | whole) - P(class | without the part). Classes with no pair are left out.
    /// </summary>
    public static IReadOnlyDictionary<string, PartEffect> ObjectPartEffects(Classifier model, IReadOnlyList<GymRender> whole, IReadOnlyList<GymRender> withoutPart, int size)
    {
        if (whole.Count != withoutPart.Count) throw new ArgumentException($"{whole.Count} whole renders against {withoutPart.Count} without the part", nameof(withoutPart));
        var pw = Probabilities(model, whole, size);
        var pp = Probabilities(model, withoutPart, size);
        var effects = new Dictionary<string, PartEffect>();
        for (int c = 0; c < GymScenes.ClassNames.Count; c++)
        {
            var rows = Enumerable.Range(0, whole.Count).Where(i => whole[i].Label == c).ToList();
            if (rows.Count == 0) continue;
            if (rows.Any(i => withoutPart[i].Label != c)) throw new ArgumentException($"the part pairs of class {GymScenes.ClassNames[c]} are not the same scenes", nameof(withoutPart));
            effects[GymScenes.ClassNames[c]] = new PartEffect(GymScenes.PartNames[c], Effect.Of(rows.Select(i => (double)pw[i][c] - pp[i][c]).ToList()),
                rows.Average(i => (double)pw[i][c]), rows.Average(i => (double)pp[i][c]));
        }
        return effects;
    }

    /// <summary>Mean over pairs of pictures of their root-mean-square pixel difference.</summary>
    internal static double SeedSpread(IReadOnlyList<ImageData> images)
    {
        double sum = 0;
        int pairs = 0;
        for (int i = 0; i < images.Count; i++)
            for (int j = i + 1; j < images.Count; j++)
            {
                var a = images[i].Pixels;
                var b = images[j].Pixels;
                double sq = 0;
                for (int p = 0; p < a.Length; p++) sq += (a[p] - b[p]) * (double)(a[p] - b[p]);
                sum += Math.Sqrt(sq / a.Length);
                pairs++;
            }
        return pairs == 0 ? 0 : sum / pairs;
    }

    private static ImageData Resized(ImageData image, int height, int width)
    {
        if (image.Height == height && image.Width == width) return image;
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        return ImageData.FromBatch(Transforms.Resize(height, width)(image.ToTensor(CPU), new Random(0)))[0];
    }

    private static float[][] Probabilities(Classifier model, IReadOnlyList<GymRender> renders, int size)
    {
        using var scope = NewDisposeScope();
        using var ds = GymScenes.ToDataset(renders.ToList(), size, "probe", model.Device, _ => 0);
        var p = nn.functional.softmax(model.Predict(ds.Images), 1).cpu();
        return Enumerable.Range(0, renders.Count).Select(i => p[i].data<float>().ToArray()).ToArray();
    }

    /// <summary>The arm detector's P(arm) for each image.</summary>
    public static List<double> DetectorArmProbability(Classifier detector, IReadOnlyList<ImageData> images)
    {
        using var scope = NewDisposeScope();
        var x = Transforms.Resize(detector.Spec.Height, detector.Spec.Width)(cat(images.Select(i => i.ToTensor(detector.Device)).ToList(), 0), new Random(0));
        var p = nn.functional.softmax(detector.Predict(x), 1).select(1, 1).cpu().data<float>().ToArray();
        return p.Select(v => (double)v).ToList();
    }
}

/// <summary>Paired scenes with part of the arm erased (<see cref="DumbbellMeasurement.ArmParts"/>), and the hand's mean share of the arm's visible pixels.</summary>
public sealed record ArmPartScenes(IReadOnlyList<GymRender> HandOnly, IReadOnlyList<GymRender> WithoutHand, double HandPixelShare);
