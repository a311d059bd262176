using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Data.Gym;
using RobustnessLab.Evaluation;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using RobustnessLab.Training;
using static TorchSharp.torch;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// The independent arm detector that scores how much arm a visualisation holds. It must be a valid instrument on
/// visualisations, which look nothing like renders (saturated, high-contrast, textured): a detector trained on renders
/// alone calls every saturated blob "arm". So it is trained on two kinds of images, each half with an arm and half
/// without:
/// <list type="bullet">
/// <item>gym renders (any class or none, a quarter on saturated 1/f noise floors, half of the objects painted in skin
/// or orange tones, so that an orange object is not an arm);</item>
/// <item>visualisation-like images: the class visualisations of a <i>control</i> classifier trained on gym scenes with
/// no arm at all (so they hold no arm), hue-rotated at random (orange blobs are no evidence), as they are or with the
/// arm of an arm-alone render pasted in.</item>
/// </list>
/// Both kinds get a random contrast gain in logit space (what logit maximisation does to colours) and random flips.
/// A positive and a negative then differ only in the arm's pixels, so the detector has to find the arm itself.
/// It never sees the biased or the debiased model. Its validity is reported: accuracy on held-out renders, and the
/// false-positive and true-positive rates on held-out control visualisations (other seeds) without and with an arm.
/// </summary>
public static class ArmDetector
{
    public static readonly IReadOnlyList<string> ClassNames = ["no arm", "arm"];

    public sealed record Result(Classifier Model, double RenderAccuracy, double VisFalsePositiveRate, double VisTruePositiveRate, double ControlAccuracy);

    /// <param name="dir">Checkpoint folder of the detector (none: not saved).</param>
    /// <param name="controlDir">Checkpoint folder of the control model (none: not saved); with <see cref="DumbbellOptions.ReuseModels"/> either is loaded when its recipe matches.</param>
    public static Result Train(DumbbellOptions o, LabContext ctx, string? dir, string? controlDir, Action<double, string>? report, CancellationToken cancel)
    {
        int size = o.Size;
        long baseSeed = (long)LabContext.DeriveSeed(o.Seed, 0xDE7EC7);

        // 1. The control classifier: same architecture, trained on scenes in which nothing is ever held.
        report?.Invoke(0, "arm detector: control model (no arms)");
        var controlData = new GymOptions { Size = size, Variant = GymVariant.Biased, PDumbbellArm = 0, POtherArm = 0, Train = o.ControlTrain, Validation = 0, Test = Math.Min(o.Test, 600) };
        int controlSeed = (int)(LabContext.DeriveSeed(baseSeed, 1) & 0x7fffffff);
        using var controlSplits = GymScenes.Load(controlData, controlSeed, ctx.Device);
        using var control = DumbbellModels.TrainOrReuse(DumbbellModels.CreateClassifier(o, controlSplits, GymScenes.ClassNames, controlSeed, ctx), controlSplits,
            DumbbellModels.TrainingSettings(o, o.ControlEpochs, controlSeed), controlDir, o.ReuseModels, "gym-control", ctx,
            report is null ? null : new SyncProgress<TrainingProgress>(p => report(0.3 * p.Step / p.StepsPerEpoch / p.Epochs + 0.3 * (p.Epoch - 1) / p.Epochs, $"arm detector: control model epoch {p.Epoch}/{p.Epochs}")), cancel);
        double controlAccuracy = Accuracy.Evaluate(control, controlSplits.Test).Accuracy;

        // 2. Its visualisations: every class, several seeds, kept at a few steps along the way (all of them arm-free).
        int k = GymScenes.ClassNames.Count;
        var seeds = Enumerable.Range(0, o.DetectorVisSeeds + o.DetectorHeldOutSeeds).Select(i => (int)(LabContext.DeriveSeed(baseSeed, 0x100 + i) & 0x7fffffff)).ToArray();
        var saveAt = new[] { o.VisSteps / 8, o.VisSteps / 4, o.VisSteps / 2 }.Where(s => s >= 1 && s < o.VisSteps).Distinct().ToArray();
        var vis = DumbbellModels.VisualizeAll(control, o with { VisImageSize = 0, VisMethod = "lucid" }, seeds, saveAt,
            report is null ? null : (f, s) => report(0.3 + 0.3 * f, "arm detector: control visualisations " + s), cancel);
        var trainVis = new List<ImageData>();
        var heldOutVis = new List<ImageData>();
        for (int c = 0; c < k; c++)
            foreach (var snap in vis[c].Snapshots)
                for (int j = 0; j < seeds.Length; j++)
                    (j < o.DetectorVisSeeds ? trainVis : heldOutVis).Add(snap.Images[j]);

        // 3. Detector data. Renders: any class or none, held with probability 1/2, half on noise floors.
        report?.Invoke(0.6, "arm detector: rendering");
        var train = Mix(o.DetectorTrain, trainVis, size, baseSeed + 11);
        var test = Mix(o.Test, heldOutVis, size, baseSeed + 12);
        using var trainSet = ToDataset(train, ctx.Device);
        using var testSet = ToDataset(test, ctx.Device);
        int detectorSeed = (int)(LabContext.DeriveSeed(baseSeed, 2) & 0x7fffffff);
        var model = DumbbellModels.TrainInstrument("gym-arm", o.Architecture, DumbbellModels.ModelArgs(o), o, ctx, trainSet, testSet, DumbbellModels.TrainingSettings(o, o.DetectorEpochs, detectorSeed),
            dir, report, 0.6, 0.4, "arm detector", cancel);

        // 4. Validity on held-out data: renders, and control visualisations of seeds it never saw.
        var p = DumbbellMeasurement.DetectorArmProbability(model, test.Select(t => t.Image).ToList());
        double Rate(Func<Sample, bool> which, bool arm)
        {
            var idx = Enumerable.Range(0, test.Count).Where(i => which(test[i]) && test[i].Arm == arm).ToList();
            return idx.Count == 0 ? double.NaN : idx.Count(i => p[i] >= 0.5) / (double)idx.Count;
        }
        var renders = Enumerable.Range(0, test.Count).Where(i => !test[i].VisLike).ToList();
        double renderAcc = renders.Count(i => p[i] >= 0.5 == test[i].Arm) / (double)renders.Count;
        return new Result(model, renderAcc, Rate(s => s.VisLike, false), Rate(s => s.VisLike, true), controlAccuracy);
    }

    /// <summary>One detector image: pixels, whether an arm is in it, and whether it is visualisation-like.</summary>
    private sealed record Sample(ImageData Image, bool Arm, bool VisLike);

    /// <summary>n images: half renders, half visualisation-like (when there are any); half of each kind with an arm.</summary>
    private static List<Sample> Mix(int n, IReadOnlyList<ImageData> visBases, int size, long stream)
    {
        return CpuParallel.Map(n, i =>
        {
            var rng = new Random((int)(LabContext.DeriveSeed(stream, 2L * i + 1) & 0x7fffffff));
            long seed = (long)LabContext.DeriveSeed(stream, 2L * i);
            bool arm = rng.NextDouble() < 0.5;
            bool visLike = visBases.Count > 0 && i % 2 == 1;
            float[] pixels;
            if (!visLike)
            {
                int cls = rng.Next(GymScenes.ClassNames.Count + 1) - 1;
                bool noise = rng.NextDouble() < 0.25, skinObject = cls >= 0 && rng.NextDouble() < 0.5;
                pixels = GymRenderer.Render(new GymSceneRequest(size, cls, arm, seed, noise, SkinTonedObject: skinObject)).Pixels;
            }
            else
            {
                // A random hue rotation of the base, before any arm goes in: orange and skin-hued blobs then occur in
                // arm-free visualisations as often as any other colour, so only the arm itself can tell the classes apart.
                pixels = RotateHue(visBases[rng.Next(visBases.Count)].Pixels, size, (float)(rng.NextDouble() * 2 * Math.PI));
                if (arm)
                {
                    // The arm (forearm and fist) of an arm-alone render, pasted over the visualisation.
                    var a = GymRenderer.Render(new GymSceneRequest(size, -1, true, seed));
                    int plane = size * size;
                    for (int j = 0; j < plane; j++)
                        if (a.ArmMask[j])
                            for (int c = 0; c < 3; c++) pixels[c * plane + j] = a.Pixels[c * plane + j];
                }
            }
            pixels = Augment(pixels, size, rng);
            return new Sample(new ImageData(3, size, size, pixels), arm, visLike);
        }).ToList();
    }

    /// <summary>Rotates every pixel's colour about the grey axis by <paramref name="angle"/> radians (a hue rotation).</summary>
    private static float[] RotateHue(float[] chw, int size, float angle)
    {
        // Rodrigues rotation about the unit vector (1,1,1)/sqrt(3).
        float c = MathF.Cos(angle), s = MathF.Sin(angle), k = (1 - c) / 3f, r = s / MathF.Sqrt(3f);
        float a = c + k, b = k - r, d = k + r;
        int plane = size * size;
        var result = new float[chw.Length];
        for (int i = 0; i < plane; i++)
        {
            float red = chw[i], green = chw[plane + i], blue = chw[2 * plane + i];
            result[i] = Math.Clamp(a * red + b * green + d * blue, 0f, 1f);
            result[plane + i] = Math.Clamp(d * red + a * green + b * blue, 0f, 1f);
            result[2 * plane + i] = Math.Clamp(b * red + d * green + a * blue, 0f, 1f);
        }
        return result;
    }

    /// <summary>Random flips and transpose, and (half the time) a contrast gain of 1-3 in logit space about mid-grey.</summary>
    internal static float[] Augment(float[] chw, int size, Random rng)
    {
        bool flipX = rng.Next(2) == 0, flipY = rng.Next(2) == 0, transpose = rng.Next(2) == 0;
        float gain = rng.NextDouble() < 0.5 ? 1f : 1f + 2f * (float)rng.NextDouble();
        var result = new float[chw.Length];
        int plane = size * size;
        for (int c = 0; c < 3; c++)
            for (int y = 0; y < size; y++)
                for (int x = 0; x < size; x++)
                {
                    int sx = flipX ? size - 1 - x : x, sy = flipY ? size - 1 - y : y;
                    if (transpose) (sx, sy) = (sy, sx);
                    float v = chw[c * plane + sy * size + sx];
                    if (gain != 1f)
                    {
                        float q = Math.Clamp(v, 1e-3f, 1 - 1e-3f);
                        v = 1f / (1f + MathF.Exp(-gain * MathF.Log(q / (1 - q))));
                    }
                    result[c * plane + y * size + x] = v;
                }
        return result;
    }

    private static Dataset ToDataset(List<Sample> samples, Device device) =>
        DumbbellModels.ToDataset("gym-arm", samples.Select(s => (s.Image, s.Arm ? 1 : 0)).ToList(), ClassNames, device);
}
