using RobustnessLab.Benchmarks;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

/// <summary>
/// The zoo's 2x2 max pooling: gradient-free passes take the maximum of four strided slices, passes with gradients
/// libtorch's max_pool2d. Both must give max_pool2d's values bit for bit, and gradients must go where max_pool2d
/// sends them (each window's first maximum), ties included.
/// </summary>
public sealed class MaxPool2x2Tests
{
    /// <summary>Rectified values with many exact ties: zeros (a ReLU's dead units) and a few repeated positive values.</summary>
    private static Tensor Tied(Generator g, params long[] shape) =>
        (randint(0, 4, shape, generator: g).to(ScalarType.Float32) - 1).clamp_min(0) * 0.5f + (rand(shape, generator: g) < 0.2).to(ScalarType.Float32) * rand(shape, generator: g);

    private static bool Same(Tensor a, Tensor b) => a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    [TestCase(3, 4, 28, 28)]
    [TestCase(2, 5, 7, 9)]
    [TestCase(1, 1, 2, 3)]
    public void AGradientFreePassGivesMaxPool2dsValuesBitForBit(int n, int c, int h, int w)
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(11, CPU);
        var x = Tied(g, n, c, h, w);
        var pool = new MaxPool2x2();
        Tensor fast;
        using (no_grad()) fast = pool.call(x);
        var reference = nn.functional.max_pool2d(x, 2);
        Assert.That(fast.shape, Is.EqualTo(reference.shape));
        Assert.That(Same(fast, reference), Is.True, "same values, bit for bit");
        // The same holds with a non-contiguous input (a slice of a wider tensor).
        var wide = Tied(g, n, c, h, w + 3)[.., .., .., 1..(w + 1)];
        using (no_grad()) Assert.That(Same(pool.call(wide), nn.functional.max_pool2d(wide, 2)), Is.True, "strided input");
    }

    [Test]
    public void APassWithGradientsSendsEachWindowsGradientToItsFirstMaximumAsMaxPool2dDoes()
    {
        using var scope = NewDisposeScope();
        using var g = new Generator(12, CPU);
        var x = Tied(g, 4, 3, 10, 10);
        var weight = randn(new long[] { 4, 3, 5, 5 }, generator: g);
        var a = x.detach().requires_grad_(true);
        var b = x.detach().requires_grad_(true);
        var ga = autograd.grad([(new MaxPool2x2().call(a) * weight).sum()], [a])[0];
        var gb = autograd.grad([(nn.functional.max_pool2d(b, 2) * weight).sum()], [b])[0];
        Assert.That(Same(ga, gb), Is.True);
        // Each window with a nonzero gradient sends it to exactly one input, ties included.
        Assert.That(ga.ne(0).sum().item<long>(), Is.EqualTo(weight.ne(0).sum().item<long>()));
    }

    [TestCase("cnn")]
    [TestCase("lenet")]
    public void AModelsLogitsAreTheSameWithAndWithoutGradients(string architecture)
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(3);
        using var model = ModelZoo.Create(ModelZoo.Spec(architecture, [1, 28, 28], Enumerable.Range(0, 10).Select(i => $"c{i}").ToArray(), [0.3f], [0.35f]));
        model.eval();
        var x = rand(8, 1, 28, 28);
        x[.., .., ..10, ..] = 0; // a blank band, where pooling windows tie
        Tensor without;
        using (no_grad()) without = model.call(x);
        var with = model.call(x.detach().requires_grad_(true));
        Assert.That(Same(without, with.detach()), Is.True);
    }

    [Test]
    public void TheForwardBenchmarkTimesAGradientFreePass()
    {
        using var model = CoreBenchmarks.CreateCnn(CPU);
        var m = CoreBenchmarks.Forward(model, 4, 100, seconds: 0.05);
        Assert.That(m.MillisecondsPerStep, Is.GreaterThan(0));
        Assert.That(m.GflopPerStep, Is.EqualTo(FlopCounter.ForwardFlops(model, [4, 1, 28, 28]) / 1e9).Within(1e-12));
    }
}
