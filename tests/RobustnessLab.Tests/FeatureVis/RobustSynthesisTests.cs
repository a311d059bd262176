using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Tests.Attacks;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.FeatureVis;

/// <summary>
/// Robust synthesis (Santurkar et al. 2019) keeps its invariants: every picture stays inside the L2 ball around its
/// start (scaled with the picture's size) and inside [0, 1], the wanted class's logit rises, the same starts give the
/// same pictures; and the start Gaussian reproduces its images' statistics.
/// </summary>
[TestFixture]
public sealed class RobustSynthesisTests
{
    private AttackFixture f = null!;

    [OneTimeSetUp] public void SetUp() => f = new AttackFixture();
    [OneTimeTearDown] public void TearDown() => f.Dispose();

    private Tensor Starts(int count, int size)
    {
        using var g = new Generator(11, CPU);
        using var gauss = ImageGaussian.Fit(f.Data.Train.Images, 6);
        return gauss.Sample(count, size, g, CPU);
    }

    [TestCase(0)]
    [TestCase(24)]
    public void PicturesStayInTheBallAndInRangeAndRaiseTheClassLogit(int imageSize)
    {
        int size = imageSize == 0 ? 12 : imageSize, k = f.Model.NumClasses;
        var classes = Enumerable.Range(0, 2 * k).Select(i => i % k).ToList();
        using var starts = Starts(classes.Count, size);
        var o = new SynthesisOptions { Steps = 20, Epsilon = 1.5, ImageSize = imageSize };
        var r = RobustSynthesis.Render(f.Model, classes, starts, o, Enumerable.Range(0, classes.Count).ToList());
        using var scope = NewDisposeScope();
        var x = cat(r.Images.Select(i => i.ToTensor()).ToList(), 0);
        double radius = o.Epsilon * size / 12.0;
        var dist = RobustnessLab.Attacks.Distance.L2.Measure(x - starts).data<float>().ToArray();
        var before = f.Model.Predict(Transforms.Resize(12, 12)(starts, new Random(0))).cpu();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Images[0].Height, Is.EqualTo(size));
            Assert.That(dist.Max(), Is.LessThanOrEqualTo(radius * (1 + 1e-4)), "inside the ball around the start");
            Assert.That(dist.Average(), Is.GreaterThan(radius * 0.5), "the steps use the ball");
            Assert.That(x.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
            Assert.That(x.max().item<float>(), Is.LessThanOrEqualTo(1f));
            for (int i = 0; i < classes.Count; i++)
                Assert.That(r.FinalObjective[i], Is.GreaterThan(before[i, classes[i]].item<float>()), $"picture {i}: its class's logit rose");
            var p0 = softmax(before, 1);
            double startP = classes.Select((c, i) => (double)p0[i, c].item<float>()).Average();
            Assert.That(startP, Is.LessThan(0.4), "the starts do not already show the wanted classes");
            Assert.That(r.ClassProbabilities.Select((p, i) => p[classes[i]]).Average(), Is.GreaterThan(0.5), "the model reads the wanted classes in most pictures");
        }
    }

    [Test]
    public void TheSameStartsGiveTheSamePictures()
    {
        using var starts = Starts(4, 12);
        var o = new SynthesisOptions { Steps = 8, Epsilon = 1 };
        var a = RobustSynthesis.Render(f.Model, [0, 1, 2, 3], starts, o, [0, 1, 2, 3]);
        var b = RobustSynthesis.Render(f.Model, [0, 1, 2, 3], starts, o, [0, 1, 2, 3]);
        Assert.That(b.Images.Select(i => i.Pixels), Is.EqualTo(a.Images.Select(i => i.Pixels)));
    }

    /// <summary>A penalty joins the cross-entropy: one on the pictures' distance from a grey image keeps them nearer grey.</summary>
    [Test]
    public void APenaltyStepsAwayFromWhatItPenalises()
    {
        int[] classes = [0, 1, 2, 3, 4, 0, 1, 2];
        using var starts = Starts(classes.Length, 12);
        var o = new SynthesisOptions { Steps = 20, Epsilon = 1.5 };
        var free = RobustSynthesis.Render(f.Model, classes, starts, o, classes);
        var held = RobustSynthesis.Render(f.Model, classes, starts, o, classes, penalty: x => (x - 0.5).square().sum(new long[] { 1, 2, 3 }) * 10);
        using var scope = NewDisposeScope();
        double FromGrey(VisualizationResult r) => (cat(r.Images.Select(i => i.ToTensor()).ToList(), 0) - 0.5).square().mean().item<float>();
        Assert.That(FromGrey(held), Is.LessThan(FromGrey(free)), "the penalised pictures stay nearer grey");
    }

    [Test]
    public void AFinalBlurSmoothsThePicturesAndTheirProbabilitiesAreTheBlurredOnes()
    {
        int k = f.Model.NumClasses;
        var classes = Enumerable.Range(0, k).ToList();
        var seeds = Enumerable.Range(0, k).ToList();
        using var starts = Starts(k, 24);
        var o = new SynthesisOptions { Steps = 12, Epsilon = 1.5, ImageSize = 24 };
        var sharp = RobustSynthesis.Render(f.Model, classes, starts, o, seeds);
        var soft = RobustSynthesis.Render(f.Model, classes, starts, o with { FinalBlurSigma = 1 }, seeds);
        using var scope = NewDisposeScope();
        var xs = cat(sharp.Images.Select(i => i.ToTensor()).ToList(), 0);
        var xb = cat(soft.Images.Select(i => i.ToTensor()).ToList(), 0);
        double Tv(Tensor x) => (x[.., .., 1.., ..] - x[.., .., ..^1, ..]).abs().mean().item<float>() + (x[.., .., .., 1..] - x[.., .., .., ..^1]).abs().mean().item<float>();
        var p = softmax(f.Model.Predict(Transforms.Resize(12, 12)(xb, new Random(0))), 1).cpu();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Tv(xb), Is.LessThan(0.8 * Tv(xs)), "the blur removes pixel-scale variation");
            Assert.That(xb.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
            Assert.That(xb.max().item<float>(), Is.LessThanOrEqualTo(1f));
            for (int i = 0; i < k; i++)
                for (int c = 0; c < k; c++)
                    Assert.That(soft.ClassProbabilities[i][c], Is.EqualTo(p[i, c].item<float>()).Within(1e-4), $"picture {i}, class {c}: the blurred picture's probability");
            Assert.That(() => RobustSynthesis.Render(f.Model, classes, starts, o with { FinalBlurSigma = -1 }, seeds),
                Throws.TypeOf<LabException>().With.Message.Contains("final blur sigma"));
        }
    }

    [Test]
    public void TheStartGaussianReproducesItsImagesStatistics()
    {
        // Images whose two halves have independent brightness: the draws must have the data's mean and the halves uncorrelated.
        using var scope = NewDisposeScope();
        using var g = new Generator(3, CPU);
        var top = rand(new long[] { 2000, 1, 1, 1 }, generator: g) * 0.5 + 0.25;
        var bottom = rand(new long[] { 2000, 1, 1, 1 }, generator: g) * 0.2 + 0.1;
        var images = cat([top.expand(2000, 1, 4, 8), bottom.expand(2000, 1, 4, 8)], 2).contiguous();
        using var gauss = ImageGaussian.Fit(images, 8);
        var draws = gauss.Sample(4000, 8, g, CPU);
        var t = draws.narrow(2, 0, 4).mean(new long[] { 1, 2, 3 });
        var b = draws.narrow(2, 4, 4).mean(new long[] { 1, 2, 3 });
        var corr = ((t - t.mean()) * (b - b.mean())).mean() / (t.std() * b.std());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.mean().item<float>(), Is.EqualTo(0.5).Within(0.01));
            Assert.That(b.mean().item<float>(), Is.EqualTo(0.2).Within(0.01));
            Assert.That(t.std().item<float>(), Is.EqualTo(0.5 / Math.Sqrt(12)).Within(0.01), "the spread of the top half");
            Assert.That(Math.Abs(corr.item<float>()), Is.LessThan(0.06), "independent halves stay independent");
            Assert.That(gauss.Resolution, Is.EqualTo(8));
            Assert.That(gauss.Images, Is.EqualTo(2000));
        }
    }

    [Test]
    public void BadSettingsAreRefusedInOneLine()
    {
        using var starts = Starts(2, 12);
        Assert.That(() => RobustSynthesis.Render(f.Model, [0, 1], starts, new SynthesisOptions { Epsilon = 0 }, [0, 1]),
            Throws.TypeOf<LabException>().With.Message.Contains("epsilon must be positive"));
        Assert.That(() => RobustSynthesis.Render(f.Model, [0, 9], starts, new SynthesisOptions(), [0, 1]),
            Throws.TypeOf<LabException>().With.Message.Contains("class 9 is out of range"));
        Assert.That(() => RobustSynthesis.Render(f.Model, [0], starts, new SynthesisOptions(), [0]),
            Throws.TypeOf<LabException>().With.Message.Contains("must agree"));
        Assert.That(() => ImageGaussian.Fit(f.Data.Train.Images, 40), Throws.TypeOf<LabException>().With.Message.Contains("resolution must be in 1..12"));
    }
}
