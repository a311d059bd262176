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
        var model = TrainOrReuse(CreateClassifier(o, splits, GymScenes.ClassNames, o.Seed, ctx), splits, ModelTrainingSettings(o), dir, o.ReuseModels,
            $"gym-{name}", ctx, progress, cancel);
        double acc = Accuracy.Evaluate(model, splits.Test).Accuracy;
        using var trainPart = splits.Train.Take(splits.Test.Count);
        double trainAcc = Accuracy.Evaluate(model, trainPart).Accuracy;
        return new Trained(name, model, acc, trainAcc, dir ?? "");
    }

    /// <summary>
    /// Trains one of the experiment's instruments (the arm detector, the judge) on labelled images: the experiment's
    /// <paramref name="architecture"/> with <paramref name="modelArgs"/>, normalised with the training images' channel statistics, seeded with <c>settings.Seed</c>.
    /// Progress goes to <paramref name="report"/> as the fraction <paramref name="from"/> + <paramref name="span"/> x
    /// (share of steps done), with "<paramref name="label"/>: epoch i/n acc a".
    /// </summary>
    public static Classifier TrainInstrument(string name, string architecture, IReadOnlyDictionary<string, double> modelArgs, DumbbellOptions o, LabContext ctx,
        Dataset trainSet, Dataset testSet, TrainingOptions settings, string? dir, Action<double, string>? report, double from, double span, string label, CancellationToken cancel)
    {
        using var val = trainSet.Take(0);
        var (mean, std) = Trainer.ChannelStatistics(trainSet);
        var spec = ModelZoo.Spec(architecture, [3, o.Size, o.Size], trainSet.ClassNames, mean, std, modelArgs);
        var model = new Trainer(ctx).CreateModel(spec, settings.Seed);
        return TrainOrReuse(model, new DataSplits(trainSet, val, testSet), settings, dir, o.ReuseModels, name, ctx,
            report is null ? null : new SyncProgress<TrainingProgress>(p => report(from + span * (((p.Epoch - 1) * p.StepsPerEpoch + p.Step) / (double)(p.Epochs * p.StepsPerEpoch)),
                $"{label}: epoch {p.Epoch}/{p.Epochs} acc {p.Accuracy:P1}")), cancel);
    }

    /// <summary>The file beside a checkpoint that names the recipe it was trained by.</summary>
    public const string RecipeFile = "recipe.json";

    /// <summary>
    /// Trains <paramref name="fresh"/>, or, with <paramref name="reuse"/> and a checkpoint in <paramref name="dir"/>
    /// trained by the same recipe (the same model spec, training settings, and training images and labels, hashed),
    /// loads that instead. After training, the recipe is written beside the checkpoint in <paramref name="dir"/>; a fresh
    /// training's first checkpoint replaces the folder's files, the old recipe with them, so a folder whose training was
    /// stopped has no recipe and trains again.
    /// </summary>
    internal static Classifier TrainOrReuse(Classifier fresh, DataSplits splits, TrainingOptions settings, string? dir, bool reuse, string name,
        LabContext ctx, IProgress<TrainingProgress>? progress, CancellationToken cancel)
    {
        string recipe = Recipe(fresh, splits.Train, settings);
        if (reuse && dir is not null && Checkpoint.Exists(dir) && File.Exists(Path.Combine(dir, RecipeFile))
            && File.ReadAllText(Path.Combine(dir, RecipeFile)).Trim() == recipe)
        {
            fresh.Dispose();
            return Checkpoint.Load(dir, ctx.Device).Model;
        }
        new Trainer(ctx).Train(fresh, splits, settings, Store(dir), name, progress, cancel);
        if (dir is not null) AtomicFile.WriteAllText(Path.Combine(dir, RecipeFile), recipe + "\n");
        return fresh;
    }

    private static string Recipe(Classifier model, Dataset train, TrainingOptions settings)
    {
        var o = new System.Text.Json.Nodes.JsonObject
        {
            ["recipe"] = "robustnesslab.dumbbell-model/1",
            ["spec"] = System.Text.Json.Nodes.JsonNode.Parse(Json.Serialize(model.Spec)),
            ["training"] = System.Text.Json.Nodes.JsonNode.Parse(Json.Serialize(settings)),
            ["train_images_sha256"] = Sha256(train.Images, train.Labels),
            ["train_images"] = train.Count,
        };
        return o.ToJsonString();
    }

    /// <summary>A checkpoint folder for the trainer (a new run each time), or none.</summary>
    private static TrainingCheckpointFolder? Store(string? dir) => dir is null ? null : new TrainingCheckpointFolder(dir);

    /// <summary>Labelled images (each 3 x size x size) as a dataset on <paramref name="device"/>.</summary>
    public static Dataset ToDataset(string name, IReadOnlyList<(ImageData Image, int Label)> samples, IReadOnlyList<string> classNames, Device device)
    {
        int per = samples.Count == 0 ? 0 : samples[0].Image.Pixels.Length;
        var pixels = new float[(long)samples.Count * per];
        var labels = new long[samples.Count];
        for (int i = 0; i < samples.Count; i++)
        {
            Array.Copy(samples[i].Image.Pixels, 0, pixels, (long)i * per, per);
            labels[i] = samples[i].Label;
        }
        var first = samples.Count == 0 ? null : samples[0].Image;
        using var scope = NewDisposeScope();
        var x = tensor(pixels, new long[] { samples.Count, first?.Channels ?? 3, first?.Height ?? 0, first?.Width ?? 0 }).to(device);
        var y = tensor(labels).to(device);
        return new Dataset(name, x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), classNames);
    }

    /// <summary>Model arguments of the experiment's classifiers of <see cref="DumbbellOptions.Architecture"/> (the two models, the control and the detector).</summary>
    public static Dictionary<string, double> ModelArgs(DumbbellOptions o) => ModelArgs(o.Architecture, o.Width, o.Hidden, o.Dropout);

    /// <summary>Model arguments of the judge (<see cref="DumbbellOptions.JudgeArchitecture"/>).</summary>
    public static Dictionary<string, double> JudgeModelArgs(DumbbellOptions o) => ModelArgs(o.JudgeArchitecture, o.JudgeWidth, o.JudgeHidden, o.Dropout);

    private static Dictionary<string, double> ModelArgs(string architecture, int width, int hidden, double dropout) => architecture == "resnet"
        ? new Dictionary<string, double> { ["width"] = width }
        : new Dictionary<string, double> { ["width"] = width, ["hidden"] = hidden, ["dropout"] = dropout };

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
    /// <param name="starts">With <see cref="DumbbellOptions.VisMethod"/> "synthesis": the start of image (c, j) at row c n + j (see <see cref="SynthesisStarts"/>).</param>
    /// <param name="prior">With "generator": the prior every picture is drawn through (see <see cref="TrainPrior"/>); its starts are <see cref="GeneratorStarts"/>.</param>
    public static List<VisualizationResult> VisualizeAll(Classifier model, DumbbellOptions o, IReadOnlyList<int> seeds, IReadOnlyList<int> saveAt,
        Action<double, string>? report, CancellationToken cancel, Tensor? starts = null, GeneratorPrior? prior = null)
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
        var progress = report is null ? null : new SyncProgress<VisualizationProgress>(p => report(p.Step / (double)p.Steps, $"step {p.Step}/{p.Steps}"));
        // Robust synthesis, alone or refining generator pictures: the same ball, snapshots and final blur.
        SynthesisOptions Synthesis(int steps) => new() { Steps = steps, Epsilon = o.VisEpsilon, SaveAt = saveAt, FinalBlurSigma = o.VisFinalBlur };
        VisualizationResult all;
        if (o.VisMethod == "synthesis")
        {
            if (starts is null) throw new ArgumentException("robust synthesis needs the starts (DumbbellModels.SynthesisStarts)", nameof(starts));
            all = RobustSynthesis.Render(model, classes, starts, Synthesis(o.VisSteps), imageSeeds, progress, cancel);
        }
        else if (o.VisMethod == "generator")
        {
            if (starts is null || prior is null) throw new ArgumentException("generator synthesis needs the prior and its starts (DumbbellModels.TrainPrior, GeneratorStarts)", nameof(prior));
            all = GeneratorSynthesis.Render(model, prior, classes, starts,
                new GeneratorSynthesisOptions
                {
                    Steps = o.VisSteps, LearningRate = o.VisLearningRate, PriorWeight = o.PriorWeight, SaveAt = o.VisRefineSteps > 0 ? [] : saveAt,
                    Objective = o.VisGeneratorObjective == "logit" ? GeneratorObjective.Logit : GeneratorObjective.LogProbability,
                    Temperature = o.VisGeneratorTemperature,
                    ManifoldWeight = o.VisGeneratorManifoldWeight,
                    StartWeight = o.VisGeneratorStartWeight,
                },
                imageSeeds, progress, cancel);
            if (o.VisRefineSteps > 0)
            {
                int size = o.VisImageSize == 0 ? o.Size : o.VisImageSize;
                using var drawn = Upsampled(all.Images, size, model.Device);
                var toPrior = Transforms.Resize(prior.Side, prior.Side);
                Func<Tensor, Tensor>? penalty = o.VisRefineManifoldWeight > 0 ? x => prior.Residual(toPrior(x, new Random(0))) * o.VisRefineManifoldWeight : null;
                var refined = RobustSynthesis.Render(model, classes, drawn, Synthesis(o.VisRefineSteps), imageSeeds, progress, cancel, penalty);
                all = refined with
                {
                    Objective = "logit of each image's class: a generator picture (Nguyen et al. 2016) refined by robust synthesis",
                    Seconds = all.Seconds + refined.Seconds,
                };
            }
        }
        else
        {
            var objective = Objectives.ClassLogitEach(classes);
            // Diversity (Olah et al. 2017) among the seeds of each class only: classes do not push one another apart.
            if (o.VisDiversity > 0 && n > 1 && o.Architecture == "cnn") objective += o.VisDiversity * Objectives.Diversity(DiversityLayer, classes);
            all = FeatureVisualizer.Render(model, objective, VisualizationSettings(o, imageSeeds) with { SaveAt = saveAt }, progress, cancel);
        }
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

    private static Tensor Upsampled(IReadOnlyList<ImageData> images, int size, Device device)
    {
        using var scope = NewDisposeScope();
        return Transforms.Resize(size, size)(cat(images.Select(i => i.ToTensor(device)).ToList(), 0), new Random(0)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The starts of robust synthesis, one per (class, seed) at row c n + j, at the pictures' size: draws from Gaussians
    /// fitted to arm-free renders (per class, or one for all classes). They depend on the options and seeds only, so
    /// the biased and the debiased model start from the same images and any arm in their pictures is the model's.
    /// </summary>
    public static Tensor SynthesisStarts(DumbbellOptions o, IReadOnlyList<int> seeds, Device device)
    {
        int k = GymScenes.ClassNames.Count, size = o.VisImageSize == 0 ? o.Size : o.VisImageSize;
        if (o.VisStart == "render")
        {
            using var renders = GeneratorStarts(o, seeds, device);
            return Transforms.Resize(size, size)(renders, new Random(0));
        }
        long stream = (long)LabContext.DeriveSeed(o.Seed, 0x57A27);
        using var scope = NewDisposeScope();
        Tensor Renders(int cls) => stack(Enumerable.Range(0, o.VisStartRenders).Select(i =>
            tensor(GymRenderer.Render(new GymSceneRequest(o.Size, cls, false, (long)LabContext.DeriveSeed(stream + cls + 1, i))).Pixels, new long[] { 3, o.Size, o.Size })).ToList());
        var gaussians = new List<ImageGaussian>();
        try
        {
            if (o.VisStart == "all")
            {
                using var all = cat(Enumerable.Range(0, k).Select(Renders).ToList(), 0);
                gaussians.Add(ImageGaussian.Fit(all, o.VisStartResolution));
            }
            else
                for (int c = 0; c < k; c++)
                {
                    using var r = Renders(c);
                    gaussians.Add(ImageGaussian.Fit(r, o.VisStartResolution));
                }
            var rows = new List<Tensor>();
            for (int c = 0; c < k; c++)
                for (int j = 0; j < seeds.Count; j++)
                {
                    using var g = new Generator(LabContext.DeriveSeed(seeds[j], 0x5EED + c), CPU);
                    rows.Add(gaussians[o.VisStart == "all" ? 0 : c].Sample(1, size, g, device));
                }
            return cat(rows, 0).MoveToOuterDisposeScope();
        }
        finally
        {
            foreach (var g in gaussians) g.Dispose();
        }
    }

    /// <summary>
    /// The generator prior of <see cref="DumbbellOptions.VisMethod"/> "generator": an autoencoder trained on
    /// <see cref="DumbbellOptions.PriorTrain"/> debiased renders (every object held with probability
    /// <see cref="DumbbellOptions.PArm"/>, so an arm says nothing about the object), seeded from the options' seed.
    /// With <see cref="DumbbellOptions.ReuseModels"/>, a prior saved in <paramref name="dir"/> by the same recipe (its
    /// settings, seed and training renders, hashed) is loaded instead; after training it is saved there.
    /// </summary>
    public static GeneratorPrior TrainPrior(DumbbellOptions o, Device device, string? dir, Action<double, string>? report, CancellationToken cancel)
    {
        var data = new GymOptions { Size = o.Size, Variant = GymVariant.Debiased, PArm = o.PArm, Train = o.PriorTrain, Validation = 0, Test = 0, PlainFloorShare = o.PriorPlainFloorShare };
        long seed = (long)LabContext.DeriveSeed(o.Seed, 0x6E4E);
        using var renders = GymScenes.Generate(data, o.PriorTrain, seed, device, "gym-prior");
        var settings = new GeneratorPriorOptions
        {
            Latent = o.PriorLatent, Epochs = o.PriorEpochs, Width = o.PriorWidth, CodeNoise = o.PriorCodeNoise, EdgeWeight = o.PriorEdgeWeight,
            LearningRate = o.PriorLearningRate, BatchSize = o.PriorBatchSize, Schedule = o.PriorSchedule
        };
        string recipe = PriorRecipe(renders.Images, settings, seed);
        if (o.ReuseModels && dir is not null && GeneratorPrior.Load(dir, recipe, device) is { } saved) return saved;
        var prior = GeneratorPrior.Train(renders.Images, settings, seed, report, cancel);
        if (dir is not null) prior.Save(dir, recipe);
        return prior;
    }

    private static string PriorRecipe(Tensor images, GeneratorPriorOptions settings, long seed)
    {
        var o = new System.Text.Json.Nodes.JsonObject
        {
            ["recipe"] = "robustnesslab.dumbbell-prior/1",
            ["settings"] = System.Text.Json.Nodes.JsonNode.Parse(Json.Serialize(settings)),
            ["seed"] = seed,
            ["train_images_sha256"] = Sha256(images),
            ["train_images"] = images.shape[0],
        };
        return o.ToJsonString();
    }

    /// <summary>SHA-256 (lower-case hex) of the float images' bytes, then of the long labels' when given: what a recipe names its training data by.</summary>
    private static string Sha256(Tensor images, Tensor? labels = null)
    {
        using var scope = NewDisposeScope();
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(images.contiguous().cpu().data<float>().ToArray().AsSpan()));
        if (labels is not null) sha.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(labels.contiguous().cpu().data<long>().ToArray().AsSpan()));
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    /// <summary>
    /// The starts of generator synthesis, one per (class, seed) at row c n + j: an arm-free render of class c at the
    /// render size, drawn from seed j (the same for both models).
    /// </summary>
    public static Tensor GeneratorStarts(DumbbellOptions o, IReadOnlyList<int> seeds, Device device)
    {
        int k = GymScenes.ClassNames.Count;
        using var scope = NewDisposeScope();
        var rows = new List<Tensor>();
        for (int c = 0; c < k; c++)
            for (int j = 0; j < seeds.Count; j++)
                rows.Add(tensor(GymRenderer.Render(new GymSceneRequest(o.Size, c, false, (long)LabContext.DeriveSeed(seeds[j], 0x5EED + c))).Pixels,
                    new long[] { 1, 3, o.Size, o.Size }));
        return cat(rows, 0).to(device).MoveToOuterDisposeScope();
    }
}
