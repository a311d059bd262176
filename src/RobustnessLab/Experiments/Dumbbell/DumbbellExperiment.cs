using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Data.Gym;
using RobustnessLab.Evaluation;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
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

    public static DumbbellReport Run(DumbbellOptions options, LabContext context, IProgress<DumbbellProgress>? progress = null, CancellationToken cancel = default)
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

        // 3. The judge, trained apart from both models on renders alone (object and arm independent), adversarially.
        var judge = options.Judge
            ? DumbbellJudge.Train(options, context, Dir("judge"),
                progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(3, Stages, f, s)), cancel)
            : null;
        using var _j = judge?.Model;
        // The arm detector of earlier versions, reported beside the judge (see ArmDetector for why it also sees visualisations).
        var det = options.Detector
            ? ArmDetector.Train(options, context, Dir("arm-detector"),
                progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(3, Stages, f, "detector " + s)), cancel)
            : null;
        using var _d = det?.Model;
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
        var reportB = DumbbellMeasurement.Measure(biased, visB, judge?.Model, det?.Model, probes, options);
        var reportD = DumbbellMeasurement.Measure(debiased, visD, judge?.Model, det?.Model, probes, options);

        var files = new Dictionary<string, string>();
        if (options.OutputDir is not null)
        {
            progress?.Report(new DumbbellProgress(6, Stages, 0, "sheets"));
            files = WriteSheets(options, visB, visD, reportB, reportD);
            files["biased_model"] = reportB.Checkpoint;
            files["debiased_model"] = reportD.Checkpoint;
            if (judge is not null) files["judge"] = Dir("judge")!;
            if (det is not null) files["arm_detector"] = Dir("arm-detector")!;
        }

        double chance = 1.0 / k;
        var targets = DumbbellMeasurement.Targets(options, reportB, reportD, judge);
        var report = new DumbbellReport
        {
            Options = options,
            ClassNames = classes,
            Chance = chance,
            Biased = reportB,
            Debiased = reportD,
            JudgeObjectAccuracy = judge?.ObjectAccuracy,
            JudgeArmAccuracy = judge?.ArmAccuracy,
            JudgeRobustObjectAccuracy = judge?.RobustObjectAccuracy,
            ArmDetectorAccuracy = det?.RenderAccuracy,
            ArmDetectorVisFalsePositiveRate = det?.VisFalsePositiveRate,
            ArmDetectorVisTruePositiveRate = det?.VisTruePositiveRate,
            ControlAccuracy = det?.ControlAccuracy,
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

    internal sealed record TrainedModel(string Name, Classifier Model, double CleanAccuracy, double TrainAccuracy, string Checkpoint);

    private static TrainedModel TrainClassifier(string name, GymOptions data, DumbbellOptions o, LabContext ctx, string? dir, int stage,
        IProgress<DumbbellProgress>? progress, CancellationToken cancel)
    {
        progress?.Report(new DumbbellProgress(stage, Stages, 0, $"rendering {name} scenes"));
        using var splits = GymScenes.Load(data, o.Seed, ctx.Device);
        var model = CreateClassifier(o, splits, GymScenes.ClassNames, o.Seed, ctx);
        new Trainer(ctx).Train(model, splits, ModelTrainingSettings(o), dir, false, $"gym-{name}",
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

    /// <summary>Settings of the biased and the debiased model: the experiment's objective (adversarial by default).</summary>
    internal static TrainingOptions ModelTrainingSettings(DumbbellOptions o) => TrainingSettings(o, o.Epochs, o.Seed) with
    {
        Objective = o.Objective,
        ObjectiveArgs = o.Objective == "standard"
            ? new Dictionary<string, double>()
            : new Dictionary<string, double> { ["eps"] = o.Epsilon, ["steps"] = o.AdversarialSteps },
    };

    /// <summary>The visualisation settings of the experiment (also used by the CLI's visualize defaults for gym models).</summary>
    public static VisualizationOptions VisualizationSettings(int steps, IReadOnlyList<int> seeds) => VisualizationSettings(new DumbbellOptions { VisSteps = steps }, seeds);

    /// <summary>The experiment's visualisation settings for its options.</summary>
    public static VisualizationOptions VisualizationSettings(DumbbellOptions o, IReadOnlyList<int> seeds) => new()
    {
        Steps = o.VisSteps,
        Seeds = seeds,
        Parameterization = o.VisParameterization == "pixels" ? ParameterizationKind.Pixels : ParameterizationKind.Fourier,
        Decorrelate = true,
        Transforms = o.VisTransforms,
        LearningRate = o.VisLearningRate,
        InitSd = o.VisInitSd,
        FinalBlurSigma = o.VisFinalBlur,
        ImageSize = o.VisImageSize,
    };

    /// <summary>The layer Lucid's diversity objective compares Gram matrices at: the cnn's last convolution (after ReLU).</summary>
    internal const string DiversityLayer = "net.6";

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
        var objective = Objectives.ClassLogitEach(classes);
        if (o.VisDiversity > 0 && n > 1 && o.Architecture == "cnn") objective += o.VisDiversity * Objectives.Diversity(DiversityLayer, classes);
        var all = FeatureVisualizer.Render(model, objective, VisualizationSettings(o, imageSeeds) with { SaveAt = saveAt },
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
    /// <remarks>
    /// OtherWithArm and OtherWithoutArm are the paired causal probe: the same held-out scenes of every class but
    /// dumbbell (same seed, so the same object, pose, floor and clutter), rendered once with the arm and once without.
    /// </remarks>
    internal sealed record Probes(List<GymRender> ArmOnly, List<GymRender> DumbbellNoArm, List<GymRender> DumbbellArm, List<GymRender> OtherHeld, List<GymRender> ArmAtDumbbellGrip,
        List<GymRender> OtherWithArm, List<GymRender> OtherWithoutArm);

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
            Make(5, _ => -1, true, GymScenes.DumbbellIndex),
            Make(6, i => 1 + i % (k - 1), true),
            Make(6, i => 1 + i % (k - 1), false));
    }

    private static Dictionary<string, string> WriteSheets(DumbbellOptions o, List<VisualizationResult> visB, List<VisualizationResult> visD,
        DumbbellModelReport rb, DumbbellModelReport rd)
    {
        var files = new Dictionary<string, string>();
        int scale = Math.Max(1, 128 / visB[0].Images[0].Height);
        ImageCanvas Sheet(string title, List<VisualizationResult> vis)
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
        var allPath = Path.Combine(o.OutputDir!, "class-visualizations.png");
        all.SavePng(allPath);
        files["class_visualizations"] = allPath;

        int d = GymScenes.DumbbellIndex;
        int columns = visB[d].Images.Count;
        int picture = visB[d].Images[0].Height;
        var dumb = new List<ImageData>();
        var caps = new List<string>();
        // A row of real renders for comparison: dumbbells held by an arm, then dumbbells lying alone.
        long renderSeed = (long)LabContext.DeriveSeed(o.Seed, 0x5EE);
        for (int i = 0; i < columns; i++)
        {
            bool held = i < (columns + 1) / 2;
            var r = GymRenderer.Render(new GymSceneRequest(picture, d, held, (long)LabContext.DeriveSeed(renderSeed, i)));
            dumb.Add(new ImageData(3, picture, picture, r.Pixels));
            caps.Add(held ? "render: held" : "render: alone");
        }
        foreach (var (name, vis, r) in new[] { ("biased", visB, rb), ("debiased", visD, rd) })
            for (int i = 0; i < vis[d].Images.Count; i++)
            {
                dumb.Add(vis[d].Images[i]);
                string score = r.JudgeArmScore.Values.Count > i ? $"judge arm={r.JudgeArmScore.Values[i]:F2}"
                    : r.ArmScoreDetector is { } det ? $"arm={det.Values[i]:F2}" : $"p={vis[d].ClassProbabilities[i][d]:F2}";
                caps.Add(i == 0 ? $"{name} {score}" : score);
            }
        var dumbSheet = ContactSheet.Draw(dumb, columns, Math.Max(2, 192 / picture), caps, "real renders, then what each model draws for 'dumbbell'");
        var dumbPath = Path.Combine(o.OutputDir!, "dumbbell.png");
        dumbSheet.SavePng(dumbPath);
        files["dumbbell_sheet"] = dumbPath;
        return files;
    }

    /// <summary>Synchronous IProgress adapter.</summary>
    internal sealed class Relay<T>(Action<T> action) : IProgress<T>
    {
        public void Report(T value) => action(value);
    }
}
