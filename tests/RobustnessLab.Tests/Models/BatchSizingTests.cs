using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

/// <summary>Inference batches shrink so that no activation passes glibc's mmap threshold (BatchSizing).</summary>
public class BatchSizingTests
{
    // conv 3->channels at full resolution (the largest tensor: channels x side x side), then pooled logits.
    private static ImageClassifier Wide(int channels, int side) => ImageClassifier.From(
        nn.Sequential(nn.Conv2d(3, channels, 3, padding: 1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(channels, 4)),
        ["a", "b", "c", "d"], [3, side, side]);

    [Test]
    public void TheLargestActivationIsMeasuredFromTheForwardPass()
    {
        using var model = Wide(64, 224);
        Assert.That(BatchSizing.LargestActivationElements(model), Is.EqualTo(64L * 224 * 224));
    }

    [Test]
    public void ABatchStopsWhereAnActivationWouldPassTheMmapThreshold()
    {
        using var big = Wide(64, 224);   // 3,211,264 floats = 12.8 MB per image: 2 images fit in 32 MB
        using var small = Wide(8, 16);   // 2,048 floats per image: 4,096 images fit
        using (Assert.EnterMultipleScope())
        {
            Assert.That(BatchSizing.Fit(big, 1000), Is.EqualTo(NativeAllocator.MmapThresholdBytes / (4 * 64 * 224 * 224)).And.EqualTo(2));
            Assert.That(BatchSizing.Fit(small, 1000), Is.EqualTo(1000), "a batch that fits is kept");
            Assert.That(BatchSizing.Fit(small, 100_000), Is.EqualTo(4096));
            Assert.That(BatchSizing.Fit(big, 1), Is.EqualTo(1));
        }
    }

    [Test]
    public void AccuracyIsTheSameWhateverTheBatchTheThresholdAllows()
    {
        using var model = Wide(64, 64);  // 262,144 floats per image: batches of 32
        torch.manual_seed(3);
        using var x = rand(70, 3, 64, 64);
        using var y = randint(0, 4, [70]);
        using var data = new Dataset("random", x.alias(), y.alias(), model.ClassNames);
        var report = Accuracy.Evaluate(model, data);
        long correct;
        using (no_grad())
        using (var logits = model.call(x))   // all 70 at once, as the reference
            correct = logits.argmax(1).eq(y).sum().item<long>();
        var expected = correct / 70.0;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(BatchSizing.Fit(model, 1000), Is.EqualTo(32));
            Assert.That(report.Count, Is.EqualTo(70));
            Assert.That(report.Accuracy, Is.EqualTo(expected));
        }
    }
}
