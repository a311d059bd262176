using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Data.Gym;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using RobustnessLab.Training;
using static TorchSharp.torch;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// The judge: a classifier independent of the biased and the debiased model that says, for any picture, which object
/// it shows and whether an arm holds it. It is trained only on gym renders in which object and arm are independent
/// (every class, and "no object", held with probability 1/2), a share of them (<see cref="DumbbellOptions.JudgeNoiseShare"/>) on saturated 1/f noise floors and a
/// quarter with skin- or orange-toned objects, so that neither the floor nor an orange blob means "arm". It is
/// adversarially trained (L2 PGD-AT, Madry et al. 2017, arXiv:1706.06083): a robust classifier's decision depends on
/// shapes a person would see, not on textures and colour blobs that fool a standard one (Engstrom et al. 2019,
/// arXiv:1906.00945), which is what makes it a fair reader of class visualisations. It never sees either model or
/// their pictures. Its 14 labels are (no object or one of the 6 classes) x (arm or not): P(arm) sums the arm labels,
/// and the object probabilities sum over the arm.
/// </summary>
public static class DumbbellJudge
{
    /// <summary>"none", "none+arm", "dumbbell", "dumbbell+arm", ... (label = 2 (object + 1) + arm).</summary>
    public static readonly IReadOnlyList<string> LabelNames =
        new[] { "none" }.Concat(GymScenes.ClassNames).SelectMany(c => new[] { c, c + "+arm" }).ToList();

    /// <summary>The label of an object (-1: none) held or not: 2 (object + 1) + arm.</summary>
    public static int LabelOf(int obj, bool arm) => 2 * (obj + 1) + (arm ? 1 : 0);

    /// <summary>The object (-1: none) of a label.</summary>
    public static int ObjectOf(long label) => (int)(label / 2) - 1;

    /// <summary>The trained judge and its validity on held-out renders: object accuracy, arm accuracy, and both under attack.</summary>
    /// <param name="ObjectAccuracyPlainFloor">Object accuracy on the held-out renders with the scenes' own floors.</param>
    /// <param name="ObjectAccuracyNoiseFloor">Object accuracy on the held-out renders on 1/f noise floors (null: none held out).</param>
    public sealed record Result(Classifier Model, double ObjectAccuracy, double ArmAccuracy, double RobustObjectAccuracy, string Checkpoint,
        double ObjectAccuracyPlainFloor, double? ObjectAccuracyNoiseFloor);

    /// <summary>What the judge says about one picture.</summary>
    public sealed record Verdict(double PArm, double[] ObjectProbabilities)
    {
        /// <summary>The most probable object class (index into the gym classes), or -1 for "no object".</summary>
        public int Object
        {
            get
            {
                int best = -1;
                double p = ObjectProbabilities[0];
                for (int c = 1; c < ObjectProbabilities.Length; c++)
                    if (ObjectProbabilities[c] > p) { p = ObjectProbabilities[c]; best = c - 1; }
                return best;
            }
        }
    }

    /// <param name="prior">
    /// With pictures drawn through a generator prior: a share (<see cref="DumbbellOptions.JudgePriorShare"/>) of the
    /// training renders is replaced by the prior's reconstructions of them, labels unchanged, so the judge learns to read
    /// objects and arms as the prior draws them (it still never sees either model or their pictures).
    /// </param>
    public static Result Train(DumbbellOptions o, LabContext ctx, string? dir, Action<double, string>? report, CancellationToken cancel,
        FeatureVis.GeneratorPrior? prior = null)
    {
        int size = o.Size;
        long baseSeed = BaseSeed(o);
        report?.Invoke(0, "judge: rendering");
        var train = Renders(o.JudgeTrain, size, baseSeed + 1, o.JudgeNoiseShare);
        if (prior is not null && o.JudgePriorShare > 0) train = ThroughPrior(train, prior, o.JudgePriorShare, baseSeed + 4);
        var test = Renders(Math.Max(60, o.Test / 2), size, baseSeed + 2, o.JudgeNoiseShare);
        using var trainSet = ToDataset(train, ctx.Device);
        using var testSet = ToDataset(test, ctx.Device);
        var settings = TrainingSettings(o);
        var model = DumbbellModels.TrainInstrument("gym-judge", o.JudgeArchitecture, DumbbellModels.JudgeModelArgs(o), o, ctx, trainSet, testSet, settings, dir, report, 0.1, 0.85, "judge", cancel);

        report?.Invoke(0.95, "judge: validity");
        var verdicts = Assess(model, test.Select(t => t.Image).ToList());
        double objectAcc = test.Select((t, i) => verdicts[i].Object == t.Object).Count(b => b) / (double)test.Count;
        double armAcc = test.Select((t, i) => verdicts[i].PArm >= 0.5 == t.Arm).Count(b => b) / (double)test.Count;
        double robust = RobustObjectAccuracy(model, testSet, o.JudgeEpsilon, baseSeed + 5);
        double? Floor(bool noise)
        {
            var idx = Enumerable.Range(0, test.Count).Where(i => test[i].Noise == noise).ToList();
            return idx.Count == 0 ? null : idx.Count(i => verdicts[i].Object == test[i].Object) / (double)idx.Count;
        }
        return new Result(model, objectAcc, armAcc, robust, dir ?? "", Floor(false) ?? double.NaN, Floor(true));
    }

    /// <summary>
    /// How well the judge reads what a generator prior can draw: its object accuracy on <paramref name="count"/> fresh
    /// renders (the scenes' own floors, every class, half held) and on the prior's reconstructions of the same renders.
    /// The second bounds the legibility any model's pictures drawn through that prior can show.
    /// </summary>
    public static (double Renders, double Reconstructions) ObjectAccuracyThroughPrior(Classifier judge, FeatureVis.GeneratorPrior prior, DumbbellOptions o, int count = 600)
    {
        long stream = (long)LabContext.DeriveSeed(o.Seed, 0x3D6F);
        var requests = Enumerable.Range(0, count).Select(i => new GymSceneRequest(o.Size, i % GymScenes.ClassNames.Count, i % 2 == 0, (long)LabContext.DeriveSeed(stream, i))).ToList();
        var images = requests.Select(r => new ImageData(3, o.Size, o.Size, GymRenderer.Render(r).Pixels)).ToList();
        List<ImageData> reconstructions;
        using (var scope = NewDisposeScope())
        {
            reconstructions = ImageData.FromBatch(prior.Reconstruct(cat(images.Select(i => i.ToTensor(judge.Device)).ToList(), 0))).ToList();
        }
        double Read(IReadOnlyList<ImageData> pictures)
        {
            var verdicts = Assess(judge, pictures);
            return requests.Select((r, i) => verdicts[i].Object == r.ClassIndex).Count(b => b) / (double)count;
        }
        return (Read(images), Read(reconstructions));
    }

    /// <summary>
    /// How the judge trains: L2 PGD-AT at <see cref="DumbbellOptions.JudgeEpsilon"/> for
    /// <see cref="DumbbellOptions.JudgeEpochs"/>, at <see cref="DumbbellOptions.JudgeBatchSize"/> (0: the experiment's batch
    /// size), with the experiment's learning rate and a seed of its own.
    /// </summary>
    public static TrainingOptions TrainingSettings(DumbbellOptions o)
    {
        int seed = (int)(LabContext.DeriveSeed(BaseSeed(o), 3) & 0x7fffffff);
        return DumbbellModels.TrainingSettings(o, o.JudgeEpochs, seed) with
        {
            Objective = "pgd-l2",
            BatchSize = o.JudgeBatchSize > 0 ? o.JudgeBatchSize : o.BatchSize,
            ObjectiveArgs = new Dictionary<string, double> { ["eps"] = o.JudgeEpsilon, ["steps"] = o.JudgeAdversarialSteps },
        };
    }

    /// <summary>The stream the judge's renders and its training seed derive from.</summary>
    private static long BaseSeed(DumbbellOptions o) => (long)LabContext.DeriveSeed(o.Seed, 0x3D6E);

    /// <summary>The judge's verdict on each picture.</summary>
    public static List<Verdict> Assess(Classifier judge, IReadOnlyList<ImageData> images)
    {
        var result = new List<Verdict>(images.Count);
        for (int start = 0; start < images.Count; start += 256)
        {
            using var scope = NewDisposeScope();
            var chunk = images.Skip(start).Take(256).ToList();
            var x = FeatureVis.Transforms.Resize(judge.Spec.Height, judge.Spec.Width)(cat(chunk.Select(i => i.ToTensor(judge.Device)).ToList(), 0), new Random(0));
            var p = nn.functional.softmax(judge.Predict(x), 1).cpu();
            int n = (int)p.shape[0], objects = LabelNames.Count / 2;
            var data = p.data<float>().ToArray();
            for (int i = 0; i < n; i++)
            {
                var objectP = new double[objects];
                double arm = 0;
                for (int l = 0; l < LabelNames.Count; l++)
                {
                    double v = data[i * LabelNames.Count + l];
                    objectP[l / 2] += v;
                    if (l % 2 == 1) arm += v;
                }
                result.Add(new Verdict(arm, objectP));
            }
        }
        return result;
    }

    /// <summary>Object accuracy under L2 PGD (20 steps) at <paramref name="eps"/> on a judge's labelled images (see <see cref="UnderAttack"/>).</summary>
    private static double RobustObjectAccuracy(Classifier judge, Dataset images, double eps, long seed)
    {
        var verdicts = UnderAttack(judge, images, eps, seed);
        var labels = images.Labels.cpu().data<long>().ToArray();
        return Enumerable.Range(0, labels.Length).Count(i => verdicts[i].Object == ObjectOf(labels[i])) / (double)labels.Length;
    }

    /// <summary>
    /// The judge's verdicts on its labelled images (labels as in <see cref="LabelNames"/>) after L2 PGD (20 steps) at
    /// <paramref name="eps"/>. The random starts come from <paramref name="seed"/>'s own stream, so the verdicts are the
    /// same whether the judge was just trained or loaded (the global generator's state differs between the two).
    /// </summary>
    public static List<Verdict> UnderAttack(Classifier judge, Dataset images, double eps, long seed)
    {
        var attack = new Attacks.PgdL2 { Steps = 20, RelativeStepSize = 0.25 };
        using var generator = new Generator(LabContext.DeriveSeed(seed, 0x9D6), CPU);
        using var r = attack.Run(judge, images.Images, images.Labels, [eps], generator: generator);
        return Assess(judge, ImageData.FromBatch(r.Adversarials[0]));
    }

    /// <summary>One judge image: pixels, object class (-1 none) and whether an arm holds it.</summary>
    private sealed record Sample(ImageData Image, int Object, bool Arm, bool Noise)
    {
        public int Label => LabelOf(Object, Arm);
    }

    private static List<Sample> Renders(int n, int size, long stream, double noiseShare)
    {
        int objects = GymScenes.ClassNames.Count + 1;
        return CpuParallel.Map(n, i =>
        {
            var rng = new Random((int)(LabContext.DeriveSeed(stream, 2L * i + 1) & 0x7fffffff));
            long seed = (long)LabContext.DeriveSeed(stream, 2L * i);
            int cls = i % objects - 1;
            bool arm = rng.NextDouble() < 0.5;
            bool noise = rng.NextDouble() < noiseShare, skinObject = cls >= 0 && rng.NextDouble() < 0.25;
            var pixels = GymRenderer.Render(new GymSceneRequest(size, cls, arm, seed, noise, SkinTonedObject: skinObject)).Pixels;
            pixels = ArmDetector.Augment(pixels, size, rng);
            return new Sample(new ImageData(3, size, size, pixels), cls, arm, noise);
        }).ToList();
    }

    /// <summary>The samples with a share of them (drawn by <paramref name="stream"/>) replaced by the prior's reconstructions.</summary>
    private static List<Sample> ThroughPrior(List<Sample> samples, FeatureVis.GeneratorPrior prior, double share, long stream)
    {
        var rng = new Random((int)(LabContext.DeriveSeed(stream, 0) & 0x7fffffff));
        var chosen = Enumerable.Range(0, samples.Count).Where(_ => rng.NextDouble() < share).ToList();
        var result = samples.ToList();
        var device = prior.CodeStatistics.Mean.device;
        for (int start = 0; start < chosen.Count; start += 512)
        {
            using var scope = NewDisposeScope();
            var part = chosen.Skip(start).Take(512).ToList();
            var drawn = ImageData.FromBatch(prior.Reconstruct(cat(part.Select(i => samples[i].Image.ToTensor(device)).ToList(), 0)));
            for (int j = 0; j < part.Count; j++) result[part[j]] = samples[part[j]] with { Image = drawn[j] };
        }
        return result;
    }

    private static Dataset ToDataset(List<Sample> samples, Device device) =>
        DumbbellModels.ToDataset("gym-judge", samples.Select(s => (s.Image, s.Label)).ToList(), LabelNames, device);
}
