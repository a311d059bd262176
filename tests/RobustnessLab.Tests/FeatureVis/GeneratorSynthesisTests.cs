using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Tests.Attacks;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.FeatureVis;

/// <summary>
/// Class pictures drawn through a generator prior (Nguyen et al. 2016): the prior learns to draw its images (better than
/// their mean image does), the pictures raise the wanted class's probability, stay in [0, 1] and repeat for the same
/// starts, a heavier prior keeps them closer to what it drew in training, and bad input is refused with the limit.
/// </summary>
[TestFixture]
public sealed class GeneratorSynthesisTests
{
    private AttackFixture f = null!;
    private Tensor images = null!;
    private GeneratorPrior prior = null!;
    private static readonly GeneratorPriorOptions Small = new() { Latent = 16, Epochs = 6, BatchSize = 32, HeldOut = 64 };

    [OneTimeSetUp]
    public void SetUp()
    {
        f = new AttackFixture();
        // The fixture's 12-pixel toy images at 16 pixels (the prior draws sides that are multiples of 8).
        images = nn.functional.interpolate(f.Data.Train.Images, [16, 16], mode: InterpolationMode.Bilinear, align_corners: false).clamp(0, 1).DetachFromDisposeScope();
        prior = GeneratorPrior.Train(images, Small, seed: 3);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        prior.Dispose();
        images.Dispose();
        f.Dispose();
    }

    [Test]
    public void ThePriorDrawsHeldOutImagesBetterThanTheirMeanImageAndRepeats()
    {
        using var again = GeneratorPrior.Train(images, Small, seed: 3);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(prior.ReconstructionError, Is.LessThan(0.7 * prior.MeanImageError), "it learnt more than the mean image");
            Assert.That(again.ReconstructionError, Is.EqualTo(prior.ReconstructionError), "the same seed trains the same prior");
            Assert.That(prior.Side, Is.EqualTo(16));
        }
    }

    /// <summary>
    /// The schedule reaches the optimiser: a one-cycle prior at the same peak trains another prior than the constant rate,
    /// and still learns.
    /// </summary>
    [Test]
    public void TheScheduleReachesTheOptimiser()
    {
        using var cycled = GeneratorPrior.Train(images, Small with { Schedule = "onecycle" }, seed: 3);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cycled.ReconstructionError, Is.Not.EqualTo(prior.ReconstructionError), "another schedule, another prior");
            Assert.That(cycled.ReconstructionError, Is.LessThan(0.7 * cycled.MeanImageError), "it learns");
        }
    }

    /// <summary>The edge term makes the reconstructions' neighbour differences closer to the images' (sharper edges).</summary>
    [Test]
    public void TheEdgeTermSharpensTheReconstructions()
    {
        using var edged = GeneratorPrior.Train(images, Small with { EdgeWeight = 4 }, seed: 3);
        using var scope = NewDisposeScope();
        var held = images.narrow(0, images.shape[0] - Small.HeldOut, Small.HeldOut);
        double EdgeError(GeneratorPrior p)
        {
            var r = p.Reconstruct(held);
            Tensor Dx(Tensor t) => t.narrow(3, 1, 15) - t.narrow(3, 0, 15);
            Tensor Dy(Tensor t) => t.narrow(2, 1, 15) - t.narrow(2, 0, 15);
            return ((Dx(r) - Dx(held)).square().mean() + (Dy(r) - Dy(held)).square().mean()).item<float>();
        }
        double plain = EdgeError(prior), sharp = EdgeError(edged);
        Assert.That(sharp, Is.LessThan(plain), $"edge error {sharp:F5} with the term, {plain:F5} without");
    }

    /// <summary>Starts: images the model does not read as the class each is asked to become.</summary>
    private (List<int> Classes, Tensor Starts) Task(int count)
    {
        int k = f.Model.NumClasses;
        var labels = f.Data.Train.Labels.cpu().data<long>().ToArray();
        var classes = Enumerable.Range(0, count).Select(i => (int)((labels[i] + 1 + i % (k - 1)) % k)).ToList();
        return (classes, images.narrow(0, 0, count).clone());
    }

    private VisualizationResult Render(List<int> classes, Tensor starts, double weight = 0.1, GeneratorObjective objective = GeneratorObjective.LogProbability,
        double temperature = 1, double startWeight = 0, double manifoldWeight = 0, GeneratorPrior? through = null) =>
        GeneratorSynthesis.Render(f.Model, through ?? prior, classes, starts,
            new GeneratorSynthesisOptions
            {
                Steps = 100, LearningRate = 0.1, PriorWeight = weight, Objective = objective, Temperature = temperature, StartWeight = startWeight, ManifoldWeight = manifoldWeight,
            },
            Enumerable.Range(0, classes.Count).ToList());

    private static Tensor Stack(VisualizationResult r) => cat(r.Images.Select(i => i.ToTensor()).ToList(), 0);

    /// <summary>Mean L2 distance of the result's pictures from <paramref name="reference"/>.</summary>
    private static double MeanL2(VisualizationResult r, Tensor reference) => RobustnessLab.Attacks.Distance.L2.Measure(Stack(r) - reference).mean().item<float>();

    /// <summary>A saved prior loads as the same prior (same pictures, same figures); another recipe finds none; changed weights are refused.</summary>
    [Test]
    public void ASavedPriorLoadsAsTheSamePriorOnlyForItsRecipe()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rl-prior-" + Guid.NewGuid().ToString("N"));
        try
        {
            prior.Save(dir, "recipe A");
            using var loaded = GeneratorPrior.Load(dir, "recipe A", CPU);
            var (classes, starts) = Task(4);
            using var _ = starts;
            var a = Render(classes, starts);
            var b = Render(classes, starts, through: loaded);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(loaded, Is.Not.Null);
                Assert.That(b.Images.Select(i => i.Pixels), Is.EqualTo(a.Images.Select(i => i.Pixels)), "the loaded prior draws the same pictures");
                Assert.That(loaded!.ReconstructionError, Is.EqualTo(prior.ReconstructionError));
                Assert.That(loaded.Side, Is.EqualTo(prior.Side));
                Assert.That(GeneratorPrior.Load(dir, "recipe B", CPU), Is.Null, "another recipe trains again");
                Assert.That(GeneratorPrior.Load(dir + "-missing", "recipe A", CPU), Is.Null, "no folder, no prior");
            }
            var weights = Path.Combine(dir, GeneratorPrior.WeightsFile);
            var bytes = File.ReadAllBytes(weights);
            bytes[^1] ^= 0x40;
            File.WriteAllBytes(weights, bytes);
            Assert.That(() => GeneratorPrior.Load(dir, "recipe A", CPU), Throws.TypeOf<LabException>().With.Message.Contains("weights changed after they were saved"));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>The start weight keeps each picture nearer its own start; the manifold weight leaves pictures the prior redraws more faithfully.</summary>
    [Test]
    public void TheStartAndManifoldWeightsPullTowardTheStartAndTowardWhatThePriorCanDraw()
    {
        var (classes, starts) = Task(10);
        using var _ = starts;
        using var scope = NewDisposeScope();
        var start = prior.Decode(prior.Encode(starts)).detach();
        double Moved(double startWeight) => MeanL2(Render(classes, starts, startWeight: startWeight), start);
        double Residual(double manifoldWeight)
        {
            var pictures = Stack(Render(classes, starts, weight: 0, manifoldWeight: manifoldWeight));
            using var none = no_grad();
            return prior.Residual(pictures).mean().item<float>();
        }
        double free = Residual(0), held = Residual(300);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Moved(10), Is.LessThan(0.8 * Moved(0)), "the start weight keeps the pictures near their starts");
            Assert.That(held, Is.LessThan(0.8 * free), $"the manifold weight lowers the prior's residual ({free:F5} without, {held:F5} with)");
        }
    }

    /// <summary>Each picture's logit margin of its class over the strongest other class, from its (temperature-1) probabilities.</summary>
    private static double MeanMargin(VisualizationResult r, List<int> classes) =>
        r.ClassProbabilities.Select((p, i) => Math.Log(p[classes[i]]) - Math.Log(p.Where((_, j) => j != classes[i]).Max())).Average();

    /// <summary>
    /// The log-probability's pull fades as the class becomes certain; at a higher temperature it fades later, and the
    /// logit's never does, so against the same code prior the pictures end with larger margins for their class, in that
    /// order (on this toy model: 1.66, 2.02 and 2.45). The objective reported is the one optimised.
    /// </summary>
    [Test]
    public void AHigherTemperatureOrTheLogitPullsTheClassMarginFurther()
    {
        var (classes, starts) = Task(10);
        using var _ = starts;
        var plain = Render(classes, starts);
        var warm = Render(classes, starts, temperature: 4);
        var logit = Render(classes, starts, objective: GeneratorObjective.Logit);
        double LogSoftmaxAtT(double[] p, int c, double t)
        {
            // Logits are log p up to a constant, which the softmax ignores.
            var z = p.Select(v => Math.Log(v) / t).ToArray();
            double max = z.Max();
            return z[c] - max - Math.Log(z.Sum(v => Math.Exp(v - max)));
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(MeanMargin(warm, classes), Is.GreaterThan(MeanMargin(plain, classes)), "temperature 4 pulls further");
            Assert.That(MeanMargin(logit, classes), Is.GreaterThan(MeanMargin(warm, classes)), "the logit pulls further still");
            Assert.That(warm.FinalObjective.Select((v, i) => Math.Abs(v - LogSoftmaxAtT(warm.ClassProbabilities[i], classes[i], 4))).Max(), Is.LessThan(1e-3),
                "the objective is the log-probability at temperature 4");
            Assert.That(logit.Objective, Does.StartWith("logit"));
            Assert.That(warm.Objective, Does.StartWith("log-probability"));
        }
    }

    [Test]
    public void PicturesRaiseTheClassProbabilityStayInRangeAndRepeat()
    {
        var (classes, starts) = Task(10);
        using var _ = starts;
        var r = Render(classes, starts);
        var again = Render(classes, starts);
        using var scope = NewDisposeScope();
        var x = cat(r.Images.Select(i => i.ToTensor()).ToList(), 0);
        var resize = Transforms.Resize(12, 12);
        var startP = nn.functional.softmax(f.Model.Predict(resize(prior.Decode(prior.Encode(starts)).detach(), new Random(0))), 1).cpu();
        double before = classes.Select((c, i) => (double)startP[i, c].item<float>()).Average();
        double after = r.ClassProbabilities.Select((p, i) => p[classes[i]]).Average();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Images[0].Height, Is.EqualTo(16));
            Assert.That(x.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
            Assert.That(x.max().item<float>(), Is.LessThanOrEqualTo(1f));
            Assert.That(before, Is.LessThan(0.4), "the starts do not already show the wanted classes");
            Assert.That(after, Is.GreaterThan(0.5), "the model reads the wanted classes in most pictures");
            Assert.That(after, Is.GreaterThan(before + 0.3));
            Assert.That(r.FinalObjective.Zip(r.ClassProbabilities.Select((p, i) => Math.Log(p[classes[i]]))).All(t => Math.Abs(t.First - t.Second) < 1e-4), Is.True,
                "the objective is each picture's log-probability of its class");
            Assert.That(again.Images.Select(i => i.Pixels), Is.EqualTo(r.Images.Select(i => i.Pixels)), "the same starts give the same pictures");
        }
    }

    [Test]
    public void AHeavierPriorKeepsThePicturesCloserToWhatItDrewInTraining()
    {
        var (classes, starts) = Task(10);
        using var _ = starts;
        using var scope = NewDisposeScope();
        var start = prior.Decode(prior.Encode(starts)).detach();
        double Moved(double weight) => MeanL2(Render(classes, starts, weight), start);
        Assert.That(Moved(10), Is.LessThan(Moved(0)), "the prior's weight pulls the codes back toward the renders' codes");
    }

    [Test]
    public void BadInputIsRefusedWithTheLimit()
    {
        var (classes, starts) = Task(4);
        using var _ = starts;
        using var scope = NewDisposeScope();
        var small = nn.functional.interpolate(starts, [12, 12], mode: InterpolationMode.Bilinear, align_corners: false);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => GeneratorPrior.Train(f.Data.Train.Images, Small, 0), Throws.TypeOf<LabException>().With.Message.Contains("multiple of 8, got 12"));
            Assert.That(() => GeneratorPrior.Train(images.narrow(0, 0, 80), Small, 0), Throws.TypeOf<LabException>().With.Message.Contains("cannot hold out 64"));
            Assert.That(() => GeneratorPrior.Train(images, Small with { EdgeWeight = -1 }, 0), Throws.TypeOf<LabException>().With.Message.Contains("edge weight must be >= 0 and finite, got -1"));
            Assert.That(() => GeneratorPrior.Train(images, Small with { Schedule = "warm" }, 0), Throws.TypeOf<LabException>().With.Message.Contains("unknown schedule 'warm'; valid: constant, step, cosine, onecycle"));
            Assert.That(() => GeneratorPrior.Train(images, Small with { LearningRate = double.PositiveInfinity }, 0), Throws.TypeOf<LabException>().With.Message.Contains("learning rate must be positive and finite, got "));
            Assert.That(() => Render(classes, small), Throws.TypeOf<LabException>().With.Message.Contains("starts must be [N, 1, 16, 16]"));
            Assert.That(() => Render([0, 1, 2, 99], starts), Throws.TypeOf<LabException>().With.Message.Contains("class 99 is out of range"));
            Assert.That(() => GeneratorSynthesis.Render(f.Model, prior, classes, starts, new GeneratorSynthesisOptions { Steps = 0 }, [0, 1, 2, 3]),
                Throws.TypeOf<LabException>().With.Message.Contains("steps must be positive"));
            Assert.That(() => GeneratorSynthesis.Render(f.Model, prior, classes, starts, new GeneratorSynthesisOptions { Temperature = 0 }, [0, 1, 2, 3]),
                Throws.TypeOf<LabException>().With.Message.Contains("temperature must be positive and finite, got 0"));
            Assert.That(() => GeneratorSynthesis.Render(f.Model, prior, classes, starts, new GeneratorSynthesisOptions { StartWeight = -1 }, [0, 1, 2, 3]),
                Throws.TypeOf<LabException>().With.Message.Contains("start weight must be >= 0 and finite, got -1"));
            Assert.That(() => GeneratorSynthesis.Render(f.Model, prior, classes, starts, new GeneratorSynthesisOptions { ManifoldWeight = double.PositiveInfinity }, [0, 1, 2, 3]),
                Throws.TypeOf<LabException>().With.Message.Contains("manifold weight must be >= 0 and finite, got "));
        }
    }
}
