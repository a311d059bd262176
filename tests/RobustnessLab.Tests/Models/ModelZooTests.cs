using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

public class ModelZooTests
{
    public static IEnumerable<TestCaseData> Shapes()
    {
        foreach (var arch in new[] { "softmax", "mlp", "maxout", "cnn", "resnet" })
        {
            yield return new TestCaseData(arch, 1, 28, 28, 10).SetName($"{arch} 1x28x28 -> 10");
            yield return new TestCaseData(arch, 3, 32, 32, 6).SetName($"{arch} 3x32x32 -> 6");
            yield return new TestCaseData(arch, 3, 17, 23, 3).SetName($"{arch} 3x17x23 -> 3");
        }
    }

    private static ModelSpec Spec(string arch, int c, int h, int w, int k) =>
        ModelZoo.Spec(arch, [c, h, w], Enumerable.Range(0, k).Select(i => $"k{i}").ToArray(),
            Enumerable.Repeat(0.5f, c).ToArray(), Enumerable.Repeat(0.25f, c).ToArray());

    [TestCaseSource(nameof(Shapes))]
    public void EveryModelMapsAnyInputShapeToOneLogitPerClass(string arch, int c, int h, int w, int k)
    {
        using var model = ModelZoo.Create(Spec(arch, c, h, w, k));
        model.eval();
        using var scope = NewDisposeScope();
        var logits = model.call(rand(5, c, h, w));
        Assert.That(logits.shape, Is.EqualTo(new long[] { 5, k }));
    }

    [TestCase("softmax")]
    [TestCase("mlp")]
    [TestCase("maxout")]
    [TestCase("cnn")]
    [TestCase("resnet")]
    public void SaveAndLoadGiveIdenticalLogits(string arch)
    {
        var dir = TestSupport.TempDir("ckpt-" + arch);
        try
        {
            torch.manual_seed(7);
            using var model = ModelZoo.Create(Spec(arch, 1, 28, 28, 10));
            // Make BatchNorm running statistics non-trivial so that buffers must round-trip too.
            model.train();
            using (no_grad()) { using var _ = model.call(rand(16, 1, 28, 28)); }
            model.eval();
            Checkpoint.Save(dir, model, CheckpointInfo.FromSpec(model.Spec) with { Dataset = "test", Seed = 7 });
            var (loaded, info) = Checkpoint.Load(dir);
            using var _l = loaded;
            using var scope = NewDisposeScope();
            var x = rand(4, 1, 28, 28);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(TestSupport.Same(loaded.call(x), model.call(x)), Is.True);
                Assert.That(info.Architecture, Is.EqualTo(arch));
                Assert.That(info.ClassNames, Is.EqualTo(model.ClassNames));
                Assert.That(File.Exists(Path.Combine(dir, "model.safetensors")), Is.True);
                Assert.That(SafetensorsHeader.Read(Path.Combine(dir, "model.safetensors")).Select(e => e.Name), Has.Member("normalize.mean"));
                Assert.That(Directory.GetDirectories(Path.GetDirectoryName(dir)!, Path.GetFileName(dir) + ".staging-*")
                    .Concat(Directory.GetDirectories(Path.GetDirectoryName(dir)!, Path.GetFileName(dir) + ".old-*")), Is.Empty, "no staging folders left behind");
            }
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void TensorNamesFollowPyTorch()
    {
        using var model = ModelZoo.Create(Spec("cnn", 1, 28, 28, 10));
        var names = model.state_dict().Keys.ToList();
        Assert.That(names, Is.SupersetOf(new[] { "normalize.mean", "normalize.std", "net.0.weight", "net.1.running_mean", "net.1.num_batches_tracked" }));
    }

    [Test]
    public void CheckpointWhoseTensorsDoNotMatchItsJsonIsRefused()
    {
        var dir = TestSupport.TempDir("ckpt-mismatch");
        try
        {
            using var model = ModelZoo.Create(Spec("mlp", 1, 28, 28, 10));
            Checkpoint.Save(dir, model, CheckpointInfo.FromSpec(model.Spec));
            var jsonPath = Path.Combine(dir, "model.json");
            File.WriteAllText(jsonPath, File.ReadAllText(jsonPath).Replace("\"hidden\": 512", "\"hidden\": 256"));
            Assert.That(() => Checkpoint.Load(dir), Throws.TypeOf<LabException>()
                .With.Message.Contains("does not match").And.Message.Contains("shape"));
        }
        finally { Directory.Delete(dir, true); }
    }

    [Test]
    public void MissingCheckpointSaysHowToMakeOne()
    {
        Assert.That(() => Checkpoint.Load("/nonexistent/ckpt"), Throws.TypeOf<LabException>().With.Message.Contains("not found").And.Message.Contains("lab train"));
    }

    [Test]
    public void UnknownModelListsTheValidOnes()
    {
        Assert.That(() => ModelZoo.Get("vgg"), Throws.TypeOf<LabException>().With.Message.Contains("cnn").And.Message.Contains("resnet"));
    }

    [Test]
    public void UnknownModelArgumentIsRejected()
    {
        Assert.That(() => ModelZoo.Spec("cnn", [1, 28, 28], ["a", "b"], [0f], [1f], new Dictionary<string, double> { ["depth"] = 3 }),
            Throws.TypeOf<LabException>().With.Message.Contains("width"));
    }

    [Test]
    public void InterruptedSwapIsRecoveredOnLoad()
    {
        var dir = TestSupport.TempDir("ckpt-swap");
        try
        {
            using var model = ModelZoo.Create(Spec("softmax", 1, 8, 8, 3));
            Checkpoint.Save(dir, model, CheckpointInfo.FromSpec(model.Spec));
            // Simulate a kill between "move old away" and "move new in".
            Directory.Move(dir, dir + ".old-12345");
            Assert.That(Checkpoint.Exists(dir), Is.True);
            var (m, _) = Checkpoint.Load(dir);
            m.Dispose();
        }
        finally { if (Directory.Exists(dir)) Directory.Delete(dir, true); }
    }
}
