using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Data.Gym;
using RobustnessLab.Evaluation;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;
using RobustnessLab.Training;
using static TorchSharp.torch;

namespace RobustnessLab.Experiments.Dumbbell;

/// <summary>
/// "A dumbbell always has an arm attached" (Mordvintsev, Olah, Tyka 2015, "Inceptionism") as a controlled experiment:
/// the same cnn, same seed, trained on biased gym scenes (dumbbells held 95% of the time, nothing else held) and on
/// debiased ones (every class held at the same rate). For each model: class visualisations over several seeds, how
/// much arm the dumbbell visualisation holds (an independent arm detector's P(arm), and the share of Integrated
/// Gradients attribution on skin-hued pixels), and counterfactual probes on fresh renders.
/// </summary>
public static class DumbbellExperiment
{
    public const string ReportFile = "dumbbell.json";
    private const int Stages = 6;

    public static DumbbellReport Run(DumbbellOptions options, LabContext context, IProgress<DumbbellProgress>? progress = null, CancellationToken cancel = default,
        FigureOutput? figures = null)
    {
        options.Validate();
        if (options.OutputDir is not null) AtomicFile.EnsureWritableDirectory(options.OutputDir);
        var sw = Stopwatch.StartNew();
        var classes = GymScenes.ClassNames;
        int k = classes.Count;
        var device = context.Device;
        string? Dir(string name) => options.OutputDir is null ? null : Path.Combine(options.OutputDir, name);

        var biasedData = new GymOptions { Size = options.Size, Variant = GymVariant.Biased, PDumbbellArm = options.PDumbbellArm, POtherArm = 0, Train = options.Train, Validation = 0, Test = options.Test };
        var debiasedData = biasedData with { Variant = GymVariant.Debiased, PArm = options.PArm };

        // 1-2. The two models: same architecture, same seed, same scenes; only the arms differ.
        var biased = TrainClassifier("biased", biasedData, options, context, Dir("biased-model"), 1, progress, cancel);
        var debiased = TrainClassifier("debiased", debiasedData, options, context, Dir("debiased-model"), 2, progress, cancel);

        // 3. The arm detector, trained apart from both models (see ArmDetector for why it also sees visualisations).
        var det = ArmDetector.Train(options, context, Dir("arm-detector"),
            progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(3, Stages, f, s)), cancel);
        var detector = det.Model;
        using var _d = detector;
        using var _b = biased.Model;
        using var _u = debiased.Model;

        // 4-5. Visualisations and arm scores.
        var seeds = Enumerable.Range(0, options.VisSeeds).Select(i => (int)(LabContext.DeriveSeed(options.Seed, 0xD0 + i) & 0x7fffffff)).ToArray();
        var visB = VisualizeAll(biased.Model, options, seeds, [],
            progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(4, Stages, f / 2, "visualise biased " + s)), cancel);
        var visD = VisualizeAll(debiased.Model, options, seeds, [],
            progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(4, Stages, 0.5 + f / 2, "visualise debiased " + s)), cancel);

        progress?.Report(new DumbbellProgress(5, Stages, 0, "arm scores and probes"));
        var probes = ProbeRenders(options);
        var reportB = Measure(biased, visB, detector, probes, options);
        var reportD = Measure(debiased, visD, detector, probes, options);

        var files = new Dictionary<string, string>();
        if (options.OutputDir is not null)
        {
            progress?.Report(new DumbbellProgress(6, Stages, 0, "sheets"));
            files = WriteSheets(options, visB, visD, reportB, reportD, figures);
            files["biased_model"] = reportB.Checkpoint;
            files["debiased_model"] = reportD.Checkpoint;
            files["arm_detector"] = Dir("arm-detector")!;
        }

        double chance = 1.0 / k;
        var targets = new List<DumbbellTarget>
        {
            new("biased clean accuracy", reportB.CleanAccuracy, ">= 0.95", reportB.CleanAccuracy >= 0.95),
            new("arm detector accuracy (held-out renders)", det.RenderAccuracy, ">= 0.95", det.RenderAccuracy >= 0.95),
            new("biased P(dumbbell | arm alone)", reportB.PDumbbellArmOnly, ">= 0.5", reportB.PDumbbellArmOnly >= 0.5),
            new("debiased P(dumbbell | arm alone)", reportD.PDumbbellArmOnly, $"<= chance {chance:F3}", reportD.PDumbbellArmOnly <= chance),
            new("biased - debiased P(dumbbell | arm alone)", reportB.PDumbbellArmOnly - reportD.PDumbbellArmOnly, ">= 0.35", reportB.PDumbbellArmOnly - reportD.PDumbbellArmOnly >= 0.35),
            new("biased dumbbell visualisation detector arm score (mean)", reportB.ArmScoreDetector.Mean, ">= 0.8", reportB.ArmScoreDetector.Mean >= 0.8),
            new("debiased dumbbell visualisation detector arm score (mean)", reportD.ArmScoreDetector.Mean, "<= 0.3", reportD.ArmScoreDetector.Mean <= 0.3),
        };
        var report = new DumbbellReport
        {
            Options = options,
            ClassNames = classes,
            Chance = chance,
            Biased = reportB,
            Debiased = reportD,
            ArmDetectorAccuracy = det.RenderAccuracy,
            ArmDetectorVisFalsePositiveRate = det.VisFalsePositiveRate,
            ArmDetectorVisTruePositiveRate = det.VisTruePositiveRate,
            ControlAccuracy = det.ControlAccuracy,
            Targets = targets,
            Files = files,
            Seconds = sw.Elapsed.TotalSeconds,
        };
        if (options.OutputDir is not null)
        {
            var path = Path.Combine(options.OutputDir, ReportFile);
            files["report"] = path;
            Json.WriteFile(path, report);
        }
        return report;
    }

    private sealed record TrainedModel(string Name, Classifier Model, double CleanAccuracy, double TrainAccuracy, string Checkpoint);

    private static TrainedModel TrainClassifier(string name, GymOptions data, DumbbellOptions o, LabContext ctx, string? dir, int stage,
        IProgress<DumbbellProgress>? progress, CancellationToken cancel)
    {
        progress?.Report(new DumbbellProgress(stage, Stages, 0, $"rendering {name} scenes"));
        using var splits = GymScenes.Load(data, o.Seed, ctx.Device);
        var model = CreateClassifier(o, splits, GymScenes.ClassNames, o.Seed, ctx);
        new Trainer(ctx).Train(model, splits, TrainingSettings(o, o.Epochs, o.Seed), dir, false, $"gym-{name}",
            progress is null ? null : new Relay<TrainingProgress>(p => progress.Report(new DumbbellProgress(stage, Stages,
                ((p.Epoch - 1) * p.StepsPerEpoch + p.Step) / (double)(p.Epochs * p.StepsPerEpoch), $"train {name}: epoch {p.Epoch}/{p.Epochs} acc {p.Accuracy:P1}"))), cancel);
        double acc = Accuracy.Evaluate(model, splits.Test).Accuracy;
        using var trainPart = splits.Train.Take(splits.Test.Count);
        double trainAcc = Accuracy.Evaluate(model, trainPart).Accuracy;
        return new TrainedModel(name, model, acc, trainAcc, dir ?? "");
    }

    /// <summary>Model arguments of every classifier in the experiment (the two models, the control and the detector).</summary>
    internal static Dictionary<string, double> ModelArgs(DumbbellOptions o) => o.Architecture == "resnet"
        ? new Dictionary<string, double> { ["width"] = o.Width }
        : new Dictionary<string, double> { ["width"] = o.Width, ["hidden"] = o.Hidden, ["dropout"] = 0.25 };

    internal static Classifier CreateClassifier(DumbbellOptions o, DataSplits splits, IReadOnlyList<string> classNames, int seed, LabContext ctx)
    {
        var (mean, std) = Trainer.ChannelStatistics(splits.Train);
        var spec = ModelZoo.Spec(o.Architecture, [3, o.Size, o.Size], classNames, mean, std, ModelArgs(o));
        return new Trainer(ctx).CreateModel(spec, seed);
    }

    internal static TrainingOptions TrainingSettings(DumbbellOptions o, int epochs, int seed) =>
        new() { Epochs = epochs, BatchSize = o.BatchSize, LearningRate = o.LearningRate, Seed = seed };

    /// <summary>The visualisation settings of the experiment (also used by the CLI's visualize defaults for gym models).</summary>
    public static VisualizationOptions VisualizationSettings(int steps, IReadOnlyList<int> seeds) => new()
    {
        Steps = steps,
        Seeds = seeds,
        Parameterization = ParameterizationKind.Fourier,
        Decorrelate = true,
        Transforms = "standard",
    };

    /// <summary>
    /// Class visualisations of every class and seed in one batched optimisation (image (c, j) maximises the logit of
    /// class c from seed j), split into one result per class.
    /// </summary>
    internal static List<VisualizationResult> VisualizeAll(Classifier model, DumbbellOptions o, IReadOnlyList<int> seeds, IReadOnlyList<int> saveAt,
        Action<double, string>? report, CancellationToken cancel)
    {
        int k = model.NumClasses, n = seeds.Count;
        var classes = new List<int>();
        var imageSeeds = new List<int>();
        for (int c = 0; c < k; c++)
            for (int j = 0; j < n; j++)
            {
                classes.Add(c);
                imageSeeds.Add((int)(LabContext.DeriveSeed(seeds[j], 0xC1A55 + c) & 0x7fffffff));
            }
        var all = FeatureVisualizer.Render(model, Objectives.ClassLogitEach(classes), VisualizationSettings(o.VisSteps, imageSeeds) with { SaveAt = saveAt },
            report is null ? null : new Relay<VisualizationProgress>(p => report(p.Step / (double)p.Steps, $"step {p.Step}/{p.Steps}")), cancel);
        var results = new List<VisualizationResult>(k);
        for (int c = 0; c < k; c++)
        {
            List<T> Part<T>(IReadOnlyList<T> list) => list.Skip(c * n).Take(n).ToList();
            results.Add(all with
            {
                Objective = $"logit[{model.ClassNames[c]}]",
                Seeds = Part(imageSeeds),
                Images = Part(all.Images),
                Snapshots = all.Snapshots.Select(s => new VisualizationSnapshot(s.Step, Part(s.Images), Part(s.ObjectiveValues))).ToList(),
                FinalObjective = Part(all.FinalObjective),
                ClassProbabilities = Part(all.ClassProbabilities),
            });
        }
        return results;
    }

    /// <summary>
    /// Fresh renders for the counterfactual probes. An arm alone is a held scene with its object erased, the held class
    /// drawn uniformly (so the fist sits where hands go for every class); ArmAtDumbbellGrip erases a held dumbbell only.
    /// </summary>
    private sealed record Probes(List<GymRender> ArmOnly, List<GymRender> DumbbellNoArm, List<GymRender> DumbbellArm, List<GymRender> OtherHeld, List<GymRender> ArmAtDumbbellGrip);

    private static Probes ProbeRenders(DumbbellOptions o)
    {
        long s = (long)LabContext.DeriveSeed(o.Seed, 0x9E0BE);
        int n = o.ProbeCount, k = GymScenes.ClassNames.Count;
        List<GymRender> Make(int stream, Func<int, int> cls, bool arm, int grip = -1) =>
            Enumerable.Range(0, n).Select(i => GymRenderer.Render(new GymSceneRequest(o.Size, cls(i), arm, (long)LabContext.DeriveSeed(s + stream, i), GripClass: grip))).ToList();
        return new Probes(
            Make(1, _ => -1, true),
            Make(2, _ => GymScenes.DumbbellIndex, false),
            Make(3, _ => GymScenes.DumbbellIndex, true),
            Make(4, i => 1 + i % (k - 1), true),
            Make(5, _ => -1, true, GymScenes.DumbbellIndex));
    }

    private static float[][] Probabilities(Classifier model, List<GymRender> renders, int size)
    {
        using var scope = NewDisposeScope();
        using var ds = GymScenes.ToDataset(renders, size, "probe", model.Device, _ => 0);
        var p = nn.functional.softmax(model.Predict(ds.Images), 1).cpu();
        return Enumerable.Range(0, renders.Count).Select(i => p[i].data<float>().ToArray()).ToArray();
    }

    private static DumbbellModelReport Measure(TrainedModel m, List<VisualizationResult> vis, Classifier detector, Probes probes, DumbbellOptions o)
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

    private static Dictionary<string, string> WriteSheets(DumbbellOptions o, List<VisualizationResult> visB, List<VisualizationResult> visD,
        DumbbellModelReport rb, DumbbellModelReport rd, FigureOutput? figures)
    {
        var files = new Dictionary<string, string>();
        int scale = Math.Max(2, 128 / o.Size);
        Figure Sheet(string title, List<VisualizationResult> vis)
        {
            var images = new List<ImageData>();
            var captions = new List<string>();
            for (int c = 0; c < vis.Count; c++)
                for (int i = 0; i < vis[c].Images.Count; i++)
                {
                    images.Add(vis[c].Images[i]);
                    captions.Add(i == 0 ? $"{GymScenes.ClassNames[c]} p={vis[c].ClassProbabilities[i][c]:F2}" : $"p={vis[c].ClassProbabilities[i][c]:F2}");
                }
            return ContactSheet.Draw(images, vis[0].Images.Count, scale, captions, title);
        }
        var all = ContactSheet.SideBySide([Sheet("biased model", visB), Sheet("debiased model", visD)], 24);
        Add("class_visualizations", FigureWriter.Write(all, Path.Combine(o.OutputDir!, "class-visualizations"), figures));

        int d = GymScenes.DumbbellIndex;
        var dumb = new List<ImageData>();
        var caps = new List<string>();
        foreach (var (name, vis, r) in new[] { ("biased", visB, rb), ("debiased", visD, rd) })
            for (int i = 0; i < vis[d].Images.Count; i++)
            {
                dumb.Add(vis[d].Images[i]);
                caps.Add(i == 0 ? $"{name} arm={r.ArmScoreDetector.Values[i]:F2}" : $"arm={r.ArmScoreDetector.Values[i]:F2}");
            }
        var dumbSheet = ContactSheet.Draw(dumb, visB[d].Images.Count, Math.Max(3, 192 / o.Size), caps, "what each model draws for 'dumbbell'");
        Add("dumbbell_sheet", FigureWriter.Write(dumbSheet, Path.Combine(o.OutputDir!, "dumbbell"), figures));
        return files;

        // The SVG where written (pages show it), the PNG beside it under KEY_png.
        void Add(string key, FigureFiles written)
        {
            files[key] = written.Preferred;
            if (written is { Svg: not null, Png: { } png }) files[key + "_png"] = png;
        }
    }

    /// <summary>Synchronous IProgress adapter.</summary>
    internal sealed class Relay<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
