using System.Diagnostics;
using System.Text.Json;
using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Models;
using RobustnessLab.Models.Import;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

/// <summary>
/// Imported weights must compute what PyTorch computes. tests/pytorch/make_reference.py (run here with Debian's
/// python3-torch and python3-torchvision, which CI installs) builds each architecture with a fixed seed and random
/// weights, saves it (plain torch.save, a DataParallel checkpoint wrapped in {"state_dict": ...}, {"model": ...},
/// and .safetensors) and records logits, the input gradient in float32 and in float64, and an FGSM image on fixed
/// inputs. The lab imports the same files and must agree: logits within 1e-4 of the largest logit (at least 1), the
/// same predicted classes, an input gradient about as close to the float64 truth as PyTorch's own float32 gradient,
/// and the same FGSM image wherever the gradient's sign is determined at float32 precision.
/// </summary>
[TestFixture, Category("Slow")]
public sealed class PyTorchAgreementTests
{
    private const string Python = "/usr/bin/python3";

    /// <summary>
    /// The lab's float32 input gradient may be this many times further from the float64 truth (largest entry-wise
    /// error) than PyTorch's float32 gradient is: both sum in float32 in different orders and with different kernels
    /// (PyTorch 1.13 with oneDNN, the lab's libtorch 2.10 with oneDNN off for ResNet-50), so neither is exact, but a
    /// wrong gradient (a missing BatchNorm, a wrong stride) is off by orders of magnitude.
    /// </summary>
    private const double ErrorRatio = 10;
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
        // A fresh process's state (oneDNN on; ResNet-50's constructor switches it off): an earlier test's gradient
        // check may have switched it off for this process.
        bool wasOff = NativeRuntime.MkldnnDisabled;
        NativeRuntime.SetMkldnnEnabled(true);
        try { Agree(arch); }
        finally { NativeRuntime.SetMkldnnEnabled(!wasOff); }
    }

    /// <summary>
    /// Never silently wrong: where switching oneDNN off (what the gradient check falls back to) makes the imported
    /// model's input gradient worse than float32 rounding explains, the check itself must fail in that state, so the
    /// lab refuses rather than attacking with it. Measured 2026-11-29: ResNet-18 with oneDNN off, error 0.0295 of the
    /// largest entry against PyTorch float32's 8.5e-7.
    /// </summary>
    [TestCase("resnet18")]
    [TestCase("preact-resnet18")]
    [TestCase("wide-resnet")]
    public void WithOneDnnOffTheGradientIsRightOrTheCheckRefuses(string arch)
    {
        bool wasOff = NativeRuntime.MkldnnDisabled;
        Assume.That(NativeRuntime.SetMkldnnEnabled(false), Is.True, "oneDNN cannot be switched off here");
        try
        {
            var c = cases.GetProperty(arch);
            using var model = Load(arch, c).Model;
            using var reference = StateDictFile.Read(Path.Combine(dir, arch + ".reference.safetensors"));
            var r = reference.Tensors;
            using var scope = NewDisposeScope();
            double torchError = (r["grad"].to(float64) - r["grad64"]).abs().max().item<double>();
            double labError = (InputGradient(model, r["x"], r["y"]).to(float64) - r["grad64"]).abs().max().item<double>();
            var verdict = InputGradientCheck.Measure(model);
            TestContext.Out.WriteLine($"{arch}, oneDNN off: lab input-gradient error {labError:G3} (PyTorch float32 {torchError:G3}); check relative error {verdict.RelativeError:G3}, passed {verdict.Passed}");
            if (labError > ErrorRatio * torchError)
                Assert.That(verdict.Passed, Is.False, "the gradient is wrong with oneDNN off, yet the check passes");
        }
        finally { NativeRuntime.SetMkldnnEnabled(!wasOff); }
    }

    private static ImportedModel Load(string arch, JsonElement c)
    {
        int size = c.GetProperty("input").GetInt32();
        return ModelImport.Load(new ImportOptions
        {
            Architecture = arch,
            WeightsPath = c.GetProperty("weights").GetString()!,
            InputShape = [3, size, size],
            Classes = c.GetProperty("classes").GetInt32() == 1000 ? "imagenet" : "cifar10",
            Mean = c.GetProperty("mean").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            Std = c.GetProperty("std").EnumerateArray().Select(e => (float)e.GetDouble()).ToArray(),
            Args = c.GetProperty("args").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble()),
        });
    }

    private static Tensor InputGradient(Classifier model, Tensor x, Tensor y)
    {
        using var grad = enable_grad();
        var input = x.detach().requires_grad_(true);
        return autograd.grad([nn.functional.cross_entropy(model.call(input), y, reduction: nn.Reduction.Sum)], [input])[0];
    }

    private void Agree(string arch)
    {
        var c = cases.GetProperty(arch);
        var imported = Load(arch, c);
        using var model = imported.Model;
        using var reference = StateDictFile.Read(Path.Combine(dir, arch + ".reference.safetensors"));
        var r = reference.Tensors;
        using var scope = NewDisposeScope();
        var logits = model.Predict(r["x"]);
        double scale = Math.Max(1, r["logits"].abs().max().item<float>());
        double maxDiff = (logits - r["logits"]).abs().max().item<float>();
        using var fgsm = new Fgsm().Run(model, r["x"], r["y"], [c.GetProperty("eps").GetDouble()]);
        var g = r["grad"];
        var g64 = r["grad64"];
        var labGrad = InputGradient(model, r["x"], r["y"]);
        double truthMax = g64.abs().max().item<double>();
        double torchError = (g.to(float64) - g64).abs().max().item<double>(), labError = (labGrad.to(float64) - g64).abs().max().item<double>();
        // Where |truth| is within the two float32 errors, either implementation may get the sign wrong: undetermined.
        var determined = g64.abs().gt(torchError + labError);
        var differs = fgsm.Adversarials[0].sub(r["fgsm"]).abs().gt(1e-6);
        long differing = differs.sum().item<long>(), whereDetermined = differs.logical_and(determined).sum().item<long>();
        long labWrongSigns = labGrad.sign().to(float64).ne(g64.sign()).logical_and(determined).sum().item<long>();
        TestContext.Out.WriteLine($"{arch}: max |logit difference| {maxDiff:G3} (largest |logit| {scale:G4}, relative {maxDiff / scale:G3}); " +
                                  $"input gradient error vs float64 (of the largest entry {truthMax:G3}): PyTorch float32 {torchError / truthMax:G3}, lab {labError / truthMax:G3}; " +
                                  $"FGSM pixels differing {differing} of {g.numel()}, where the sign is determined {whereDetermined}; lab signs wrong where determined {labWrongSigns}; " +
                                  $"wrapper {imported.Result.Wrapper ?? "none"}, prefix {imported.Result.StrippedPrefix ?? "none"}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(maxDiff / scale, Is.LessThanOrEqualTo(1e-4), "logits relative to max(1, max |logit|)");
            Assert.That(logits.argmax(1).data<long>().ToArray(), Is.EqualTo(r["logits"].argmax(1).data<long>().ToArray()), "predicted classes");
            Assert.That(labError, Is.LessThanOrEqualTo(ErrorRatio * torchError), "the lab's input gradient error against float64, relative to PyTorch's float32 error");
            Assert.That(labWrongSigns, Is.Zero, "gradient signs the lab gets wrong where float32 determines them");
            Assert.That(whereDetermined, Is.Zero, "FGSM pixels that differ from PyTorch's where the gradient sign is determined");
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
