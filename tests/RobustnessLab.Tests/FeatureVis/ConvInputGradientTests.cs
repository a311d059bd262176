using NUnit.Framework;
using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.FeatureVis;

/// <summary>
/// Guards a libtorch defect seen on the lab machine: the input gradient of a CPU Conv2d for a batch of two differed
/// from the gradient of the same row alone. FeatureVis works around it with per-image passes; this test records
/// whether the defect is present (it passes when the gradients agree, so it fails loudly where the bug lives).
/// </summary>
public class ConvInputGradientTests
{
    [Test]
    [Category("KnownDefect")]
    public void BatchedConvInputGradientMatchesPerRowGradient()
    {
        LabContext.Create("cpu", 0, threads: 1);
        torch.manual_seed(3);
        using var conv = nn.Conv2d(3, 4, 3, padding: 1);
        using var g = new Generator(21, CPU);
        using var scope = NewDisposeScope();
        var x = rand(new long[] { 2, 3, 8, 8 }, generator: g) - 0.5;
        var a = x.narrow(0, 0, 1).detach().clone().requires_grad_(true);
        var ga = autograd.grad([conv.call(a).pow(2).sum()], [a])[0];
        var b = x.detach().clone().requires_grad_(true);
        var gb = autograd.grad([conv.call(b).pow(2).sum()], [b])[0];
        Assert.That((gb[0] - ga[0]).abs().max().item<float>(), Is.LessThan(1e-4f),
            $"batched conv2d input gradient differs from the single-row one (|g| single {ga.abs().sum().item<float>()}, batched row 0 {gb[0].abs().sum().item<float>()})");
    }
}
