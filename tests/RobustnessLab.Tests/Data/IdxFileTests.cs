using System.IO.Compression;
using RobustnessLab.Core;
using RobustnessLab.Data;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Data;

public class IdxFileTests
{
    private string dir = "";

    [SetUp]
    public void SetUp() => dir = TestSupport.TempDir("idx");

    [TearDown]
    public void TearDown() => Directory.Delete(dir, true);

    private static byte[] Images(int n, int h = 4, int w = 3) =>
        IdxFile.Encode([n, h, w], Enumerable.Range(0, n * h * w).Select(i => (byte)(i % 256)).ToArray());

    private static byte[] Labels(int n, int classes = 10) =>
        IdxFile.Encode([n], Enumerable.Range(0, n).Select(i => (byte)(i % classes)).ToArray());

    private string Write(string name, byte[] bytes, bool gzip)
    {
        var path = Path.Combine(dir, name + (gzip ? ".gz" : ""));
        if (!gzip) { File.WriteAllBytes(path, bytes); return path; }
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        gz.Write(bytes);
        return path;
    }

    private void WritePair(string prefix, byte[] images, byte[] labels, bool gzip)
    {
        Write($"{prefix}-images-idx3-ubyte", images, gzip);
        Write($"{prefix}-labels-idx1-ubyte", labels, gzip);
    }

    [TestCase(false)]
    [TestCase(true)]
    public void ValidFilesLoadAsNchwFloatsInUnitRange(bool gzip)
    {
        WritePair("t10k", Images(6), Labels(6), gzip);
        using var ds = FashionMnist.ReadPair(dir, "t10k", CPU);
        using var scope = NewDisposeScope();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ds.Images.shape, Is.EqualTo(new long[] { 6, 1, 4, 3 }));
            Assert.That(ds.Images.dtype, Is.EqualTo(ScalarType.Float32));
            Assert.That(ds.Images.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
            Assert.That(ds.Images.max().item<float>(), Is.LessThanOrEqualTo(1f));
            Assert.That(ds.Images[0, 0, 0, 1].item<float>(), Is.EqualTo(1f / 255f).Within(1e-7));
            Assert.That(ds.Labels.data<long>().ToArray(), Is.EqualTo(new long[] { 0, 1, 2, 3, 4, 5 }));
            Assert.That(ds.ClassNames, Has.Count.EqualTo(10));
        }
    }

    [TestCase(false)]
    [TestCase(true)]
    public void TruncatedFileNamesTheFileAndTheShortfall(bool gzip)
    {
        var full = Images(6);
        WritePair("t10k", full[..^10], Labels(6), gzip);
        Assert.That(() => FashionMnist.ReadPair(dir, "t10k", CPU),
            Throws.TypeOf<LabException>().With.Message.Contains("t10k-images-idx3-ubyte").And.Message.Contains("truncated"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void WrongMagicIsReported(bool gzip)
    {
        var bytes = Images(6);
        bytes[0] = 0x12;
        WritePair("t10k", bytes, Labels(6), gzip);
        Assert.That(() => FashionMnist.ReadPair(dir, "t10k", CPU), Throws.TypeOf<LabException>().With.Message.Contains("magic"));
    }

    [Test]
    public void LabelFileWithImageRankIsRejected()
    {
        WritePair("t10k", Images(6), Images(6), gzip: false);
        Assert.That(() => FashionMnist.ReadPair(dir, "t10k", CPU),
            Throws.TypeOf<LabException>().With.Message.Contains("labels-idx1-ubyte").And.Message.Contains("rank 3, expected 1"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public void MismatchedCountsAreReported(bool gzip)
    {
        WritePair("t10k", Images(6), Labels(5), gzip);
        Assert.That(() => FashionMnist.ReadPair(dir, "t10k", CPU),
            Throws.TypeOf<LabException>().With.Message.Contains("5 labels but").And.Message.Contains("6 images"));
    }

    [Test]
    public void LabelOutOfRangeIsReported()
    {
        var labels = Labels(6);
        labels[^1] = 11;
        WritePair("t10k", Images(6), labels, gzip: false);
        Assert.That(() => FashionMnist.ReadPair(dir, "t10k", CPU), Throws.TypeOf<LabException>().With.Message.Contains("label 11"));
    }

    [Test]
    public void TrailingBytesAreReported()
    {
        WritePair("t10k", [.. Images(6), 1, 2, 3], Labels(6), gzip: false);
        Assert.That(() => FashionMnist.ReadPair(dir, "t10k", CPU), Throws.TypeOf<LabException>().With.Message.Contains("unexpected bytes"));
    }

    [Test]
    public void CorruptGzipIsReported()
    {
        var path = Path.Combine(dir, "t10k-images-idx3-ubyte.gz");
        File.WriteAllBytes(path, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
        Write("t10k-labels-idx1-ubyte", Labels(6), false);
        Assert.That(() => FashionMnist.ReadPair(dir, "t10k", CPU), Throws.TypeOf<LabException>().With.Message.Contains("t10k-images-idx3-ubyte.gz"));
    }

    [Test]
    public void MissingFolderSaysHowToGetTheData()
    {
        Assert.That(() => FashionMnist.Load(new DataOptions(Path.Combine(dir, "nope"))),
            Throws.TypeOf<LabException>().With.Message.Contains("dataset-fashion-mnist"));
    }
}
