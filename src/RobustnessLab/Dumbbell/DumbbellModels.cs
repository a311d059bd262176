using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Data.Gym;
using RobustnessLab.Evaluation;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using RobustnessLab.Training;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// The classifiers of the dumbbell experiment (the biased and debiased models, the arm detector's control model and
/// the detector itself): one architecture, one training recipe, and the batched class visualisations of a model.
/// </summary>
public static class DumbbellModels
{
    /// <summary>A trained model of the experiment with its accuracies and checkpoint folder ("" when none was written).</summary>
    public sealed record Trained(string Name, Classifier Model, double CleanAccuracy, double TrainAccuracy, string Checkpoint);

    /// <summary>Renders the scenes, trains a classifier on them and measures its test and training accuracy.</summary>
    public static Trained Train(string name, GymOptions data, DumbbellOptions o, LabContext ctx, string? dir, IProgress<TrainingProgress>? progress,
        CancellationToken cancel)
    {
        using var splits = GymScenes.Load(data, o.Seed, ctx.Device);
        var model = CreateClassifier(o, splits, GymScenes.ClassNames, o.Seed, ctx);
        new Trainer(ctx).Train(model, splits, ModelTrainingSettings(o), dir, false, $"gym-{name}", progress, cancel);
        double acc = Accuracy.Evaluate(model, splits.Test).Accuracy;
        using var trainPart = splits.Train.Take(splits.Test.Count);
        double trainAcc = Accuracy.Evaluate(model, trainPart).Accuracy;
        return new Trained(name, model, acc, trainAcc, dir ?? "");
    }

    /// <summary>Model arguments of every classifier in the experiment (the two models, the control and the detector).</summary>
    public static Dictionary<string, double> ModelArgs(DumbbellOptions o) => o.Architecture == "resnet"
        ? new Dictionary<string, double> { ["width"] = o.Width }
        : new Dictionary<string, double> { ["width"] = o.Width, ["hidden"] = o.Hidden, ["dropout"] = 0.25 };

    /// <summary>A fresh classifier of the experiment's architecture, normalised with the training set's channel statistics.</summary>
    public static Classifier CreateClassifier(DumbbellOptions o, DataSplits splits, IReadOnlyList<string> classNames, int seed, LabContext ctx)
    {
        var (mean, std) = Trainer.ChannelStatistics(splits.Train);
        var spec = ModelZoo.Spec(o.Architecture, [3, o.Size, o.Size], classNames, mean, std, ModelArgs(o));
        return new Trainer(ctx).CreateModel(spec, seed);
    }

    /// <summary>The trainer settings of every classifier in the experiment.</summary>
    public static TrainingOptions TrainingSettings(DumbbellOptions o, int epochs, int seed) =>
        new() { Epochs = epochs, BatchSize = o.BatchSize, LearningRate = o.LearningRate, Seed = seed };

    /// <summary>Settings of the biased and the debiased model: the experiment's objective (adversarial by default).</summary>
    public static TrainingOptions ModelTrainingSettings(DumbbellOptions o) => TrainingSettings(o, o.Epochs, o.Seed) with
    {
        Objective = o.Objective,
        ObjectiveArgs = o.Objective == "standard"
            ? new Dictionary<string, double>()
            : new Dictionary<string, double> { ["eps"] = o.Epsilon, ["steps"] = o.AdversarialSteps },
    };

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
    public const string DiversityLayer = "net.6";

    /// <summary>
    /// Class visualisations of every class and seed in one batched optimisation (image (c, j) maximises the logit of
    /// class c from seed j), split into one result per class.
    /// </summary>
    public static List<VisualizationResult> VisualizeAll(Classifier model, DumbbellOptions o, IReadOnlyList<int> seeds, IReadOnlyList<int> saveAt,
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
        // Diversity (Olah et al. 2017) among the seeds of each class only: classes do not push one another apart.
        if (o.VisDiversity > 0 && n > 1 && o.Architecture == "cnn") objective += o.VisDiversity * Objectives.Diversity(DiversityLayer, classes);
        var all = FeatureVisualizer.Render(model, objective, VisualizationSettings(o, imageSeeds) with { SaveAt = saveAt },
            report is null ? null : new SyncProgress<VisualizationProgress>(p => report(p.Step / (double)p.Steps, $"step {p.Step}/{p.Steps}")), cancel);
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
}
