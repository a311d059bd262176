using RobustnessLab.Data;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Data;

public class FashionMnistTests
{
    [Test]
    public void FullDatasetHasTheDocumentedShapeAndASeededValidationSplit()
    {
        Assume.That(FashionMnist.IsAvailable(), Is.True, FashionMnist.HowToGet);
        using var a = FashionMnist.Load(new DataOptions(Seed: 3));
        using var b = FashionMnist.Load(new DataOptions(Seed: 3));
        using var c = FashionMnist.Load(new DataOptions(Seed: 4));
        using var scope = NewDisposeScope();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a.Train.Count, Is.EqualTo(55_000));
            Assert.That(a.Validation.Count, Is.EqualTo(5_000));
            Assert.That(a.Test.Count, Is.EqualTo(10_000));
            Assert.That(a.Train.Images.shape, Is.EqualTo(new long[] { 55_000, 1, 28, 28 }));
            Assert.That(a.ClassNames[7], Is.EqualTo("Sneaker"));
            Assert.That(a.Test.ClassCounts(), Is.All.EqualTo(1000));
            Assert.That(TestSupport.Same(a.Validation.Labels, b.Validation.Labels), Is.True, "same seed, same split");
            Assert.That(TestSupport.Same(a.Validation.Images, c.Validation.Images), Is.False, "another seed, another split");
            Assert.That(a.Train.Images.min().item<float>(), Is.EqualTo(0f));
            Assert.That(a.Train.Images.max().item<float>(), Is.EqualTo(1f));
        }
    }
}
