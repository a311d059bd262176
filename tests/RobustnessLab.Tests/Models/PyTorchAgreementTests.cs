using System.Diagnostics;
using System.Text.Json;
using RobustnessLab.Attacks;
using RobustnessLab.Models.Import;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

/// <summary>
/// Imported weights must compute what PyTorch computes. tests/pytorch/make_reference.py (run here with Debian's
/// python3-torch and python3-torchvision, which CI installs) builds each architecture with a fixed seed and random
/// weights, saves it (plain torch.save, a DataParallel checkpoint wrapped in {"state_dict": ...}, {"model": ...},
/// and .safetensors) and records logits and an FGSM image on fixed inputs. The lab imports the same files and must
/// agree: logits within 1e-4 of the largest logit (at least 1), the same predicted classes, and the same FGSM image
/// wherever PyTorch's gradient is not a near-tie (|g| below 1e-4 of the largest, where float32 rounding can flip
/// the sign).
/// </summary>
[TestFixture, Category("Slow")]
public sealed class PyTorchAgreementTests
{
    private const string Python = "/usr/bin/python3";

    /// <summary>
    /// A gradient entry counts as a tie when it is below this fraction of the largest entry: there float32 rounding
    /// (summation order differs between PyTorch 1.13 and libtorch 2.10) can flip its sign. Measured 2026-11-29 on
    /// the pixels where the images differ: WRN-28-10 1 of 12,288 at 6.2e-5 of the largest (a tie); ResNet-50 (random
    /// weights, logits up to 1508) 74 of 602,112, the largest at 3.7e-3 of the largest gradient entry, 48 of them
    /// above 1e-4: ResNet-50 does not meet this criterion yet and the test says so.
    /// </summary>
    private const double TieFraction = 1e-4;
    private string dir = null!;
    private JsonElement cases;
    private bool keep;

    [OneTimeSetUp]
    public void GenerateReferences()
    {
        if (!File.Exists(Python) || Run(Python, "-c \"import torch, torchvision\"").Code != 0)
            Assert.Ignore("python3-torch and python3-torchvision are not installed (apt-get install python3-torch python3-torchvision; CI installs them)");
        // RL_PYTORCH_REFERENCE=DIR reuses files the script wrote before (it takes minutes on a loaded machine).
        if (Environment.GetEnvironmentVariable("RL_PYTORCH_REFERENCE") is { Length: > 0 } reuse && File.Exists(Path.Combine(reuse, "cases.json")))
        {
            dir = reuse;
            keep = true;
            cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cases.json"))).RootElement.GetProperty("cases").Clone();
            return;
        }
        dir = TestSupport.TempDir("pytorch-reference");
        var script = Path.Combine(TestContext.CurrentContext.TestDirectory, "..", "..", "..", "..", "pytorch", "make_reference.py");
        var (code, output) = Run(Python, $"\"{Path.GetFullPath(script)}\" \"{dir}\"");
        Assert.That(code, Is.Zero, output);
        TestContext.Out.WriteLine(output);
        cases = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "cases.json"))).RootElement.GetProperty("cases").Clone();
    }

    [OneTimeTearDown]
    public void Remove()
    {
        if (!keep && dir is not null && Directory.Exists(dir)) Directory.Delete(dir, true);
    }

    [TestCase("resnet18")]
    [TestCase("resnet50")]
    [TestCase("preact-resnet18")]
    [TestCase("wide-resnet")]
    public void ImportedModelAgreesWithPyTorch(string arch)
    {
        var c = cases.GetProperty(arch);
        int size = c.GetProperty("input").GetInt32();
        var options = new ImportOptions
        {
            Architecture = arch,
            WeightsPath = c.GetProperty("weights").GetString()!,
            InputShape = [3, size, size],
            Classes = c.GetProperty("classes").GetInt32() == 1000 ? "imagenet" : "cifar10",
            Mean = c.GetProperty("mean").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            Std = c.GetProperty("std").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            Args = c.GetProperty("args").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()),
        };
        var imported = ModelImport.Load(options);
        using var model = imported.Model;
        using var reference = StateDictFile.Read(Path.Combine(dir, arch + ".reference.safetensors"));
        var r = reference.Tensors;
        using var scope = NewDisposeScope();
        var logits = model.Predict(r["x"]);
        double scale = Math.Max(1, r["logits"].abs().max().item<float>());
        double maxDiff = (logits - r["logits"]).abs().max().item<float>();
        using var fgsm = new Fgsm().Run(model, r["x"], r["y"], [c.GetProperty("eps").GetDouble()]);
        var g = r["grad"];
        double gmax = g.abs().max().item<float>();
        var tie = g.abs().le(TieFraction * gmax);
        var differs = fgsm.Adversarials[0].sub(r["fgsm"]).abs().gt(1e-6);
        long differing = differs.sum().item<long>(), outsideTies = differs.logical_and(tie.logical_not()).sum().item<long>();
        double worst = differing == 0 ? 0 : g.abs().masked_select(differs).max().item<float>() / gmax;
        TestContext.Out.WriteLine($"{arch}: max |logit difference| {maxDiff:G3} (largest |logit| {scale:G4}, relative {maxDiff / scale:G3}); " +
                                  $"FGSM pixels differing {differing} of {g.numel()} (largest |gradient| among them {worst:G3} of the largest), outside ties {outsideTies}; wrapper {imported.Result.Wrapper ?? "none"}, prefix {imported.Result.StrippedPrefix ?? "none"}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(maxDiff / scale, Is.LessThanOrEqualTo(1e-4), "logits relative to max(1, max |logit|)");
            Assert.That(logits.argmax(1).data<long>().ToArray(), Is.EqualTo(r["logits"].argmax(1).data<long>().ToArray()), "predicted classes");
            Assert.That(outsideTies, Is.Zero, "FGSM pixels that differ where the gradient sign is not a tie");
        }
    }

    private static (int Code, string Output) Run(string file, string args)
    {
        var psi = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        p.WaitForExit();
        return (p.ExitCode, stdout.Result + stderr.Result);
    }
}
