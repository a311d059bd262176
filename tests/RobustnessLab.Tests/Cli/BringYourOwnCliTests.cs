using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using RobustnessLab.Models.Import;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using TorchSharp;
using TorchSharp.PyBridge;

namespace RobustnessLab.Tests.Cli;

/// <summary>
/// lab import, predict and attack --image on weights the lab did not train (written here in PyTorch's state-dict
/// layout), with every bad input of the issue refused in one line and nothing half-written.
/// </summary>
[NonParallelizable]
public class BringYourOwnCliTests
{
    private string dir = null!;
    private string weights = null!;
    private string model = null!;

    /// <summary>A CIFAR-sized PreAct-ResNet-18 with random weights, saved as PyTorch would name them.</summary>
    [OneTimeSetUp]
    public void WriteWeightsAndImport()
    {
        dir = TestSupport.TempDir("byom-cli");
        torch.manual_seed(11);
        using var source = (ImageClassifier)ModelZoo.Create(ModelZoo.Spec("preact-resnet18", [3, 32, 32], ClassNames.Cifar10, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f]));
        weights = Path.Combine(dir, "preact.pth");
        source.Body.save_py(weights);
        source.Body.save_safetensors(Path.Combine(dir, "preact.safetensors"));
        model = Path.Combine(dir, "model");
        var (code, output, error) = InProcessCli.Run("import", "--arch", "preact-resnet18", "--weights", weights, "--out", model, "--mean", "0.5", "--std", "0.25");
        Assert.That(code, Is.Zero, error);
        Assert.That(output + error, Does.Contain("imported preact-resnet18"));
    }

    [OneTimeTearDown]
    public void Remove() => Directory.Delete(dir, true);

    private string Png(string name, int w, int h, int seed = 1, bool grey = false)
    {
        var path = Path.Combine(dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rng = new Random(seed);
        if (grey)
        {
            using var g = new Image<L8>(w, h);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) g[x, y] = new L8((byte)rng.Next(256));
            g.SaveAsPng(path);
        }
        else
        {
            using var c = new Image<Rgb24>(w, h);
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) c[x, y] = new Rgb24((byte)rng.Next(256), (byte)rng.Next(256), (byte)rng.Next(256));
            c.SaveAsPng(path);
        }
        return path;
    }

    [Test]
    public void ImportedWeightsMatchTheSourceAndEveryFormatGivesTheSameModel()
    {
        var (fromPth, info) = Checkpoint.Load(model);
        var viaSafetensors = ModelImport.Load(new ImportOptions { Architecture = "preact-resnet18", WeightsPath = Path.Combine(dir, "preact.safetensors"), Mean = [0.5f], Std = [0.25f] });
        using var a = fromPth;
        using var b = viaSafetensors.Model;
        using var scope = torch.NewDisposeScope();
        var x = torch.rand(3, 3, 32, 32, generator: new torch.Generator(5));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(TestSupport.Same(a.Predict(x), b.Predict(x)), Is.True);
            Assert.That(info.Preprocess, Is.EqualTo(new PreprocessInfo("resize")));
            Assert.That(info.ClassNames, Is.EqualTo(ClassNames.Cifar10));
            Assert.That(viaSafetensors.Result.Format, Is.EqualTo("safetensors"));
        }
    }

    [Test]
    public void PredictWritesLogitsProbabilitiesAndTopInClassOrder()
    {
        var image = Png("cat.png", 57, 43);
        var json = Path.Combine(dir, "prediction.json");
        var (code, _, error) = InProcessCli.Run("predict", "--model", model, "--image", image, "--top", "3", "--json", json);
        Assert.That(code, Is.Zero, error);
        var doc = JsonNode.Parse(File.ReadAllText(json))!;
        var logits = doc["logits"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var probs = doc["probabilities"]!.AsArray().Select(v => v!.GetValue<double>()).ToArray();
        var top = doc["top"]!.AsArray();
        var (m, info) = Checkpoint.Load(model);
        using var _ = m;
        using var scope = torch.NewDisposeScope();
        var expected = m.Predict(ImageFile.Load(image, 3, 32, 32, info.Preprocess!).ToTensor())[0].data<float>().ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(logits, Has.Length.EqualTo(10));
            Assert.That(logits, Is.EqualTo(expected.Select(v => (double)v)).Within(1e-5));
            Assert.That(probs.Sum(), Is.EqualTo(1).Within(1e-5));
            Assert.That(top, Has.Count.EqualTo(3));
            Assert.That(top[0]!["class"]!.GetValue<string>(), Is.EqualTo(ClassNames.Cifar10[Array.IndexOf(probs, probs.Max())]));
            Assert.That(top[0]!["probability"]!.GetValue<double>(), Is.GreaterThanOrEqualTo(top[1]!["probability"]!.GetValue<double>()));
        }
    }

    [Test]
    public void AttackAnImageFileOfAnySize()
    {
        var image = Png("photo.png", 90, 61, seed: 3);
        var outDir = Path.Combine(dir, "attack");
        var (code, _, error) = InProcessCli.Run("attack", "--model", model, "--image", image, "--attack", "fgsm", "--eps", "0.03", "--out", outDir);
        Assert.That(code, Is.Zero, error);
        var figure = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "figure.json")))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(figure["panels"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(figure["panels"]![0]!["linf"]!.GetValue<double>(), Is.LessThanOrEqualTo(0.03 + 1e-6));
            Assert.That(File.Exists(Path.Combine(outDir, "00000-adversarial.png")), Is.True);
        }
    }

    [Test]
    public void TorchvisionPreprocessingResizesTheShorterSideAndCropsTheCentre()
    {
        // Red bands on the left and right, green in the middle: after resize-shorter-side and centre crop to a
        // square, no red remains.
        var path = Path.Combine(dir, "wide.png");
        using (var img = new Image<Rgb24>(300, 100))
        {
            for (int y = 0; y < 100; y++) for (int x = 0; x < 300; x++) img[x, y] = x < 90 || x >= 210 ? new Rgb24(255, 0, 0) : new Rgb24(0, 255, 0);
            img.SaveAsPng(path);
        }
        var cropped = ImageFile.Load(path, 3, 32, 32, PreprocessInfo.Torchvision(32));
        var stretched = ImageFile.Load(path, 3, 32, 32, new PreprocessInfo("resize"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cropped.Pixels.Take(32 * 32).Max(), Is.LessThan(0.05f), "red channel after centre crop");
            Assert.That(stretched.Pixels.Take(32 * 32).Max(), Is.GreaterThan(0.95f), "a plain resize keeps the red bands");
            Assert.That(() => ImageFile.Load(path, 3, 32, 32, new PreprocessInfo("none")),
                Throws.TypeOf<LabException>().With.Message.EqualTo($"{path}: 300x100 pixels, the model takes 32x32 and its preprocessing is 'none' (import it with --preprocess torchvision or resize)"));
        }
    }

    public static IEnumerable<TestCaseData> BadImports()
    {
        yield return new TestCaseData(new[] { "--arch", "resnet99" }, 2, "unknown model 'resnet99'; valid: ").SetName("import: unknown architecture");
        yield return new TestCaseData(new[] { "--arch", "wide-resnet", "--arg", "depth=10", "--arg", "widen_factor=1" }, 1,
            "preact.pth: tensor 'conv1.weight' has shape [64, 3, 3, 3], wide-resnet (depth=10, dropout=0, widen_factor=1) with 10 classes expects [16, 3, 3, 3]").SetName("import: weights for another architecture");
        yield return new TestCaseData(new[] { "--arch", "preact-resnet18", "--classes", "FIVE" }, 1,
            "preact.pth: tensor 'linear.weight' has shape [10, 512], preact-resnet18 with 5 classes expects [5, 512]").SetName("import: wrong class count");
        yield return new TestCaseData(new[] { "--arch", "resnet18" }, 1,
            "preact.pth: tensor 'conv1.weight' has shape [64, 3, 3, 3], resnet18 with 1000 classes expects [64, 3, 7, 7]").SetName("import: preact weights as resnet18");
        yield return new TestCaseData(new[] { "--arch", "preact-resnet18", "--preprocess", "crop" }, 2, "unknown preprocessing 'crop'; valid: torchvision, resize, none").SetName("import: unknown preprocessing");
    }

    [TestCaseSource(nameof(BadImports))]
    public void BadImportsGetOneLineAndWriteNothing(string[] args, int exit, string message)
    {
        var five = Path.Combine(dir, "five.txt");
        File.WriteAllLines(five, ["a", "b", "c", "d", "e"]);
        var outDir = Path.Combine(dir, "bad-import");
        var all = new[] { "import", "--weights", weights, "--out", outDir }.Concat(args.Select(a => a == "FIVE" ? five : a)).ToArray();
        var (code, _, error) = InProcessCli.Run(all);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(exit), error);
            Assert.That(error, Does.Contain(message));
            Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line");
            Assert.That(Directory.Exists(outDir), Is.False, "nothing written");
        }
    }

    [Test]
    public void AnImageThatIsNotAnImageIsRefusedInOneLine()
    {
        var notes = Path.Combine(dir, "notes.png");
        File.WriteAllText(notes, "these are my notes, not a picture");
        var (code, _, error) = InProcessCli.Run("predict", "--model", model, "--image", notes);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.StartWith($"lab: error: {notes}: not a readable image"));
            Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
        }
    }

    [Test]
    public void ALabelTheModelDisagreesWithIsRefused()
    {
        var image = Png("label.png", 32, 32, seed: 8);
        var (m, info) = Checkpoint.Load(model);
        string predicted;
        using (m) predicted = RobustnessLab.Evaluation.ImagePrediction.Run(m, info.Preprocess, new() { ImagePath = image, Top = 1 }).Top[0].Class;
        var other = ClassNames.Cifar10.First(c => c != predicted);
        var (code, _, error) = InProcessCli.Run("attack", "--model", model, "--image", image, "--label", other, "--eps", "0.03", "--out", Path.Combine(dir, "nothing"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain($"the model classifies it as '{predicted}'").And.Contain($"not '{other}': nothing to attack"));
        }
    }

    [Test]
    public void EvalOnAnImageFolderAndTheExperimentConfigTakeIt()
    {
        var data = Path.Combine(dir, "folder-data");
        foreach (var (cls, n) in new[] { ("airplane", 0), ("cat", 1) })
            for (int i = 0; i < 3; i++) Png(Path.Combine("folder-data", cls, $"{i}.png"), 30 + 7 * i, 40 - 3 * i, seed: 10 * n + i);
        var report = Path.Combine(dir, "eval.json");
        var (code, _, error) = InProcessCli.Run("eval", "--model", model, "--dataset", "folder:" + data, "--json", report);
        Assert.That(code, Is.Zero, error);
        Assert.That(JsonNode.Parse(File.ReadAllText(report))!["count"]!.GetValue<int>(), Is.EqualTo(6));

        var config = Path.Combine(dir, "mine.yaml");
        File.WriteAllText(config, $$"""
            name: mine
            seed: 0
            threads: 1
            dataset:
              name: folder
              path: {{data}}
              options: {input_shape: 3x32x32, classes: cifar10}
            models:
              mine: {checkpoint: {{model}}}
            eval: {}
            attacks:
              - attack: fgsm
                eps: [0, 0.03]
                samples: 6
            """);
        var run = Path.Combine(dir, "run-mine");
        (code, _, error) = InProcessCli.Run("run", config, "--out", run);
        Assert.That(code, Is.Zero, error);
        Assert.That(File.ReadAllText(Path.Combine(run, "results.json")), Does.Contain("\"mine\""));
    }
}
