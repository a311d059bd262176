using RobustnessLab.Core;
using RobustnessLab.Fooling;
using RobustnessLab.Models;
using RobustnessLab.Training;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Fooling;

public class MapElitesTests
{
    private static FoolingSearchResult Direct(Classifier model, int generations, int population = 40, int seed = 0,
        IProgress<FoolingProgress>? progress = null, CancellationToken cancel = default)
    {
        var options = new FoolingOptions { Method = FoolingMethod.Direct, Generations = generations, Population = population, Seed = seed };
        return FoolingRun.Search(model, options, options.ResolveClasses(model.ClassNames), 1, progress, cancel);
    }

    /// <summary>Re-scores champion images: the log-odds the model gives them now.</summary>
    private static double[] Rescore(Classifier model, IReadOnlyList<FoolingChampion> champions)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var x = cat(champions.Select(c => c.Image.ToTensor()).ToArray(), 0);
        var lo = ClassLogOdds.FromLogits(model.call(x)).to(ScalarType.Float64);
        return champions.Select((c, i) => lo[i, c.ClassIndex].item<double>()).ToArray();
    }

    /// <summary>NaN logits for every image whose first pixel is above 0.5: about half of each generation.</summary>
    private sealed class NanForSomeImages : TorchSharp.torch.nn.Module<Tensor, Tensor>
    {
        private readonly TorchSharp.torch.nn.Module<Tensor, Tensor> linear = TorchSharp.torch.nn.Linear(784, 10);

        public NanForSomeImages() : base(nameof(NanForSomeImages)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var logits = linear.call(x.flatten(1));
            var bad = x.flatten(1).narrow(1, 0, 1).gt(0.5);
            return logits.masked_fill(bad.expand_as(logits), double.NaN);
        }
    }

    [Test]
    public void ChildrenWithNanLogitsNeverWinACellAndTheSearchGoesOn()
    {
        using var model = ImageClassifier.From(new NanForSomeImages(), FoolingTestModels.FashionClasses, [1, 28, 28]);
        model.SkipGradientCheck = true;
        var r = Direct(model, generations: 5, population: 40);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Champions, Has.Count.EqualTo(10));
            Assert.That(r.Champions.Select(c => c.Confidence), Has.All.Matches<double>(double.IsFinite));
            Assert.That(r.Champions.Select(c => c.Image.ToTensor().flatten()[0].item<float>()), Has.All.LessThanOrEqualTo(0.5f), "only the children with finite scores");
        }
    }

    [TestCase(FoolingMethod.Direct)]
    [TestCase(FoolingMethod.Cppn)]
    public void CellsNeverGetWorseAndChampionsScoreWhatWasRecorded(FoolingMethod method)
    {
        using var model = FoolingTestModels.Untrained();
        var options = new FoolingOptions { Method = method, Generations = 25, Population = 30, Seed = 3 };
        var r = FoolingRun.Search(model, options, options.ResolveClasses(model.ClassNames));
        var rescored = Rescore(model, r.Champions);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Curve, Has.Count.EqualTo(26));
            for (int c = 0; c < r.Champions.Count; c++)
            {
                var series = r.Curve.Select(p => p.LogOdds[c]).ToArray();
                for (int i = 1; i < series.Length; i++)
                    Assert.That(series[i], Is.GreaterThanOrEqualTo(series[i - 1]), $"class {c} got worse at generation {i}");
                Assert.That(rescored[c], Is.EqualTo(r.Champions[c].LogOdds).Within(1e-3), $"class {c}: the kept image is the one that scored");
                Assert.That(r.Champions[c].LogOdds, Is.EqualTo(series[^1]));
            }
            Assert.That(r.Curve[^1].LogOdds.Sum(), Is.GreaterThan(r.Curve[0].LogOdds.Sum()), "evolution improves on the random start");
            Assert.That(r.Evaluations, Is.EqualTo(30L * 26));
        }
    }

    [Test]
    public void SameSeedSameChampionsAnotherSeedOthers()
    {
        using var model = FoolingTestModels.Untrained();
        var a = Direct(model, 8, seed: 1);
        var b = Direct(model, 8, seed: 1);
        var c = Direct(model, 8, seed: 2);
        using (Assert.EnterMultipleScope())
        {
            for (int i = 0; i < a.Champions.Count; i++)
            {
                Assert.That(b.Champions[i].Image.Pixels, Is.EqualTo(a.Champions[i].Image.Pixels), $"class {i}");
                Assert.That(b.Champions[i].LogOdds, Is.EqualTo(a.Champions[i].LogOdds));
            }
            Assert.That(c.Champions[0].Image.Pixels, Is.Not.EqualTo(a.Champions[0].Image.Pixels));
        }
    }

    [Test]
    public void CppnRunsAreReproducibleToo()
    {
        using var model = FoolingTestModels.Untrained();
        var options = new FoolingOptions { Method = FoolingMethod.Cppn, Generations = 6, Population = 20, Seed = 4 };
        var classes = options.ResolveClasses(model.ClassNames);
        var a = FoolingRun.Search(model, options, classes, threads: 2);
        var b = FoolingRun.Search(model, options, classes, threads: 1);
        for (int i = 0; i < a.Champions.Count; i++)
            Assert.That(b.Champions[i].Image.Pixels, Is.EqualTo(a.Champions[i].Image.Pixels), $"class {i}: rendering workers must not change the images");
    }

    [TestCase(FoolingMethod.Direct)]
    [TestCase(FoolingMethod.Cppn)]
    public void WorkersDoNotChangeTheSearch(FoolingMethod method)
    {
        using var model = FoolingTestModels.Untrained();
        // An odd population: the two workers score slices of different sizes.
        var options = new FoolingOptions { Method = method, Generations = 6, Population = 21, Seed = 5 };
        var classes = options.ResolveClasses(model.ClassNames);
        int threads = get_num_threads();
        var one = FoolingRun.Search(model, options, classes, threads);
        var two = FoolingRun.Search(model, options with { Workers = 2 }, classes, threads);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(get_num_threads(), Is.EqualTo(threads), "the caller's thread count is restored");
            Assert.That(two.Evaluations, Is.EqualTo(one.Evaluations));
            for (int i = 0; i < one.Champions.Count; i++)
            {
                Assert.That(two.Champions[i].LogOdds, Is.EqualTo(one.Champions[i].LogOdds), $"class {i}");
                Assert.That(two.Champions[i].FoundAt, Is.EqualTo(one.Champions[i].FoundAt), $"class {i}");
                Assert.That(two.Champions[i].Image.Pixels, Is.EqualTo(one.Champions[i].Image.Pixels), $"class {i}");
            }
            Assert.That(two.Curve.Select(p => p.LogOdds), Is.EqualTo(one.Curve.Select(p => p.LogOdds)));
        }
    }

    [Test]
    public void EvalModeIsUsedAndTheCallersModeRestored()
    {
        using var model = FoolingTestModels.Untrained();
        model.train();
        var r = Direct(model, 3);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(model.training, Is.True, "caller's train mode restored");
            Assert.That(model.parameters().All(p => p.grad is null), Is.True, "no parameter gradients");
        }
        model.eval();
        var rescored = Rescore(model, r.Champions);
        // Scored in eval mode: dropout off, batch-norm running statistics (train mode would give other numbers).
        Assert.That(rescored[0], Is.EqualTo(r.Champions[0].LogOdds).Within(1e-3));
    }

    [Test]
    public void CancellationStopsAfterTheCurrentGenerationAndKeepsTheChampions()
    {
        using var model = FoolingTestModels.Untrained();
        using var cts = new CancellationTokenSource();
        var progress = new Inline<FoolingProgress>(p => { if (p.Iteration == 4) cts.Cancel(); });
        var r = Direct(model, 100, progress: progress, cancel: cts.Token);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Cancelled, Is.True);
            Assert.That(r.Iterations, Is.EqualTo(4));
            Assert.That(r.Champions, Has.Count.EqualTo(10));
            Assert.That(r.Champions.All(c => c.Image.Pixels.Length == 784), Is.True);
        }
    }

    [Test]
    public void SearchesOnlyTheRequestedClasses()
    {
        using var model = FoolingTestModels.Untrained();
        var options = new FoolingOptions { Generations = 3, Population = 10, Classes = ["Bag", "0"] };
        var r = FoolingRun.Search(model, options, options.ResolveClasses(model.ClassNames));
        Assert.That(r.Champions.Select(c => c.ClassName), Is.EqualTo(new[] { "Bag", "T-shirt/top" }));
    }

    [Test]
    public void GenerationsLeakNoTensors()
    {
        using var model = FoolingTestModels.Untrained();
        Direct(model, 20); // warm-up: allocator pools
        var live = new List<long>();
        var rss = new List<double>();
        long before = FoolingTestModels.LiveTensors();
        Direct(model, 150, progress: new Inline<FoolingProgress>(_ =>
        {
            live.Add(FoolingTestModels.LiveTensors());
            rss.Add(Trainer.ResidentMegabytes());
        }));
        long after = FoolingTestModels.LiveTensors();
        using (Assert.EnterMultipleScope())
        {
            // From generation 5 on, the archive and the staged generation are the only live tensors: flat.
            Assert.That(live[^1] - live[5], Is.EqualTo(0), "live tensors grew during the run");
            Assert.That(after - before, Is.EqualTo(0), "tensors left behind after the run");
            // 150 generations of 40 images of 3 KB: a leak of the candidates alone would add ~18 MB.
            Assert.That(rss[^1] - rss[5], Is.LessThan(10), "resident memory grew (MB)");
        }
    }
}
