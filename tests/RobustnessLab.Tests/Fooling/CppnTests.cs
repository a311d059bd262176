using RobustnessLab.Fooling;

namespace RobustnessLab.Tests.Fooling;

public class CppnTests
{
    private static Cppn Evolved(int seed, int outputs = 1, int mutations = 60)
    {
        var rng = new Random(seed);
        var net = Cppn.CreateRandom(outputs, rng);
        var rates = new CppnMutation { AddNode = 0.3, AddConnection = 0.4 };
        for (int i = 0; i < mutations; i++) net = net.Mutate(rng, rates);
        return net;
    }

    [Test]
    public void SameSeedGivesTheSameGenomeAndTheSamePixels()
    {
        var a = Evolved(5);
        var b = Evolved(5);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Nodes, Is.EqualTo(b.Nodes));
            Assert.That(a.Connections, Is.EqualTo(b.Connections));
            Assert.That(a.Render(28, 28), Is.EqualTo(b.Render(28, 28)));
            var once = a.Render(28, 28);
            var twice = a.Render(28, 28);
            Assert.That(twice, Is.EqualTo(once), "rendering twice");
            Assert.That(Evolved(6).Render(28, 28), Is.Not.EqualTo(a.Render(28, 28)), "another seed, another image");
        }
    }

    [TestCase(1, 28, 28, 3)]
    [TestCase(3, 28, 28, 5)]
    [TestCase(1, 20, 12, 3)]
    public void AHigherResolutionRenderContainsTheLowerOne(int outputs, int width, int height, int k)
    {
        // Pixel centres of a k-times render (k odd) include every pixel centre of the base render.
        var net = Evolved(11, outputs);
        Assert.That(net.HiddenCount, Is.GreaterThan(3), "the test needs a non-trivial network");
        var low = net.Render(width, height);
        var high = net.Render(width * k, height * k);
        int n = width * height, nk = n * k * k, worst = 0;
        double maxDiff = 0;
        for (int c = 0; c < outputs; c++)
            for (int i = 0; i < height; i++)
                for (int j = 0; j < width; j++)
                {
                    double d = Math.Abs(low[c * n + i * width + j] - high[c * nk + (i * k + k / 2) * width * k + j * k + k / 2]);
                    if (d > maxDiff) { maxDiff = d; worst = c * n + i * width + j; }
                }
        Assert.That(maxDiff, Is.LessThan(1e-5), $"largest difference at pixel {worst}");
    }

    [Test]
    public void RendersRgbAndGreyInRange()
    {
        var rgb = Evolved(3, outputs: 3).RenderImage(32, 32);
        var grey = Evolved(3, outputs: 1).RenderImage(28, 28);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rgb.Channels, Is.EqualTo(3));
            Assert.That(rgb.Pixels, Has.Length.EqualTo(3 * 32 * 32));
            Assert.That(rgb.Pixels, Has.All.InRange(0f, 1f));
            Assert.That(grey.Channels, Is.EqualTo(1));
            Assert.That(grey.Pixels, Has.All.InRange(0f, 1f));
            Assert.That(grey.Pixels.Distinct().Count(), Is.GreaterThan(20), "a pattern, not a flat image");
        }
    }

    [Test]
    public void MutationsKeepTheNetworkFeedForwardAndBounded()
    {
        var rng = new Random(9);
        var rates = new CppnMutation { AddNode = 0.5, AddConnection = 0.5, ChangeActivation = 0.5, MaxHidden = 12, MaxWeight = 2 };
        var net = Cppn.CreateRandom(1, rng, rates);
        for (int i = 0; i < 300; i++) net = net.Mutate(rng, rates);
        var order = net.Nodes.Select((n, i) => (n.Id, i)).ToDictionary(p => p.Id, p => p.i);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(net.HiddenCount, Is.InRange(1, 12));
            Assert.That(net.Connections.All(c => order[c.From] < order[c.To]), Is.True, "every connection goes forward in the node order");
            Assert.That(net.Connections.All(c => order[c.To] >= Cppn.InputCount), Is.True, "no connection into an input");
            Assert.That(net.Connections.Select(c => (c.From, c.To)).Distinct().Count(), Is.EqualTo(net.Connections.Count), "no duplicate connection");
            Assert.That(net.Connections.All(c => Math.Abs(c.Weight) <= 2), Is.True);
            Assert.That(net.Nodes.Select(n => n.Activation).Distinct().Count(), Is.EqualTo(4), "all four node functions occur");
        }
    }

    [Test]
    public void EveryChildDiffersFromItsParentButOnlyALittle()
    {
        var rng = new Random(4);
        var parent = Evolved(4);
        var p = parent.Render(28, 28);
        var rates = new CppnMutation();
        int sameGenome = 0;
        double meanChange = 0;
        for (int i = 0; i < 50; i++)
        {
            var child = parent.Mutate(rng, rates);
            if (child.Nodes.SequenceEqual(parent.Nodes) && child.Connections.SequenceEqual(parent.Connections)) sameGenome++;
            meanChange += p.Zip(child.Render(28, 28), (a, b) => Math.Abs(a - b)).Average() / 50;
        }
        using (Assert.EnterMultipleScope())
        {
            // A weight already at the bound and pushed outwards stays put: rare, not zero.
            Assert.That(sameGenome, Is.LessThan(5), "children are not clones");
            // Many children render identically once the output saturates (clamped to [0,1]); the mean still moves a little.
            Assert.That(meanChange, Is.GreaterThan(0).And.LessThan(0.25), "children resemble their parent");
        }
    }
}
