using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

/// <summary>
/// Every attack and visualisation rests on batched input gradients being right. libtorch 2.10's CPU build (as
/// shipped in TorchSharp-cpu 0.107) computes wrong batched input gradients in oneDNN for convolutions with fewer than
/// 16 output channels (batch >= 2; right with oneDNN off). These tests check, against a float64 reference, the
/// convolutions the model zoo builds by default, and narrow ones with oneDNN off (what the lab's input-gradient check
/// falls back to), so a libtorch upgrade that breaks them fails here.
/// </summary>
public class ConvGradientTests
{
    public static IEnumerable<TestCaseData> ZooInputs()
    {
        yield return new TestCaseData("cnn", 1, 28, 10).SetName("cnn on Fashion-MNIST 1x28x28");
        yield return new TestCaseData("cnn", 3, 64, 6).SetName("cnn on gym scenes 3x64x64");
        yield return new TestCaseData("cnn", 3, 48, 6).SetName("cnn on gym scenes 3x48x48");
        yield return new TestCaseData("cnn", 3, 32, 6).SetName("cnn on gym scenes 3x32x32");
        yield return new TestCaseData("resnet", 1, 28, 10).SetName("resnet on Fashion-MNIST 1x28x28");
        yield return new TestCaseData("resnet", 3, 32, 6).SetName("resnet on gym scenes 3x32x32");
    }

    [TestCaseSource(nameof(ZooInputs))]
    public void BatchedInputGradientsMatchAFloat64Reference(string arch, int channels, int size, int classes)
    {
        torch.manual_seed(5);
        var spec = ModelZoo.Spec(arch, [channels, size, size], Enumerable.Range(0, classes).Select(i => $"c{i}").ToArray(),
            Enumerable.Repeat(0.4f, channels).ToArray(), Enumerable.Repeat(0.3f, channels).ToArray());
        using var model = ModelZoo.Create(spec);
        model.eval();
        using var scope = NewDisposeScope();
        var x = rand(4, channels, size, size);
        var y = randint(0, classes, [4]);
        var x32 = x.detach().requires_grad_(true);
        var g32 = autograd.grad([nn.functional.cross_entropy(model.call(x32), y, reduction: nn.Reduction.Sum)], [x32])[0];
        model.to(float64);
        var x64 = x.to(float64).requires_grad_(true);
        var g64 = autograd.grad([nn.functional.cross_entropy(model.call(x64), y, reduction: nn.Reduction.Sum)], [x64])[0];
        double rel = (g32.to(float64) - g64).abs().max().item<double>() / g64.abs().max().item<double>();
        Assert.That(rel, Is.LessThan(1e-3), "batched float32 input gradient disagrees with float64");
    }

    private static double TinyConvolutionError(int outChannels, int threads)
    {
        torch.manual_seed(3);
        using var conv = nn.Conv2d(3, outChannels, 3, padding: 1);
        using var scope = NewDisposeScope();
        int before = torch.get_num_threads();
        torch.set_num_threads(threads);
        try
        {
            var x = (rand(2, 3, 8, 8) - 0.5).requires_grad_(true);
            var g = autograd.grad([conv.call(x).pow(2).sum()], [x])[0];
            var x64 = x.detach().to(float64).requires_grad_(true);
            var g64 = autograd.grad([nn.functional.conv2d(x64, conv.weight!.detach().to(float64), conv.bias!.detach().to(float64), padding: [1, 1]).pow(2).sum()], [x64])[0];
            double rel = (g.to(float64) - g64).abs().max().item<double>() / g64.abs().max().item<double>();
            return double.IsNaN(rel) ? double.PositiveInfinity : rel;
        }
        finally { torch.set_num_threads(before); }
    }

    /// <summary>What the input-gradient check falls back to must be right: tiny convolutions with oneDNN off.</summary>
    [TestCase(1)]
    [TestCase(4)]
    [TestCase(8)]
    [TestCase(12)]
    public void TinyConvolutionBatchedInputGradientIsRightWithOneDnnOff(int outChannels)
    {
        bool wasOff = NativeRuntime.MkldnnDisabled;
        Assume.That(NativeRuntime.SetMkldnnEnabled(false), Is.True, "oneDNN cannot be switched off here");
        try
        {
            foreach (int threads in new[] { 1, 2 })
                Assert.That(TinyConvolutionError(outChannels, threads), Is.LessThan(1e-3), $"3->{outChannels} convolution, {threads} thread(s)");
        }
        finally { NativeRuntime.SetMkldnnEnabled(!wasOff); }
    }

    [Test]
    [Explicit("Documents the upstream oneDNN tiny-convolution defect (wrong on this machine); run by hand after upgrading TorchSharp/libtorch.")]
    public void TinyConvolutionBatchedInputGradientIsRightWithOneDnnOn()
    {
        bool wasOff = NativeRuntime.MkldnnDisabled;
        NativeRuntime.SetMkldnnEnabled(true);
        try { Assert.That(TinyConvolutionError(4, 1), Is.LessThan(1e-3)); }
        finally { NativeRuntime.SetMkldnnEnabled(!wasOff); }
    }
}
