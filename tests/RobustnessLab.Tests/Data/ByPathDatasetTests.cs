using RobustnessLab.Core;
using RobustnessLab.Data;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Data;

/// <summary>folder:PATH (ImageFolder) and cifar10:PATH (binary batches), with fixtures written here.</summary>
public class ByPathDatasetTests
{
    private static readonly DataOptions ForModel32 = new(Options: DatasetRegistry.ForModel([3, 32, 32], null));

    private static void Png(string path, int w, int h, bool grey = false, int seed = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var rng = new Random(seed);
        if (grey)
        {
            using var g = new Image<L8>(w, h);
            g[0, 0] = new L8((byte)rng.Next(256));
            g.SaveAsPng(path);
            return;
        }
        using var c = new Image<Rgb24>(w, h);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) c[x, y] = new Rgb24((byte)rng.Next(256), (byte)(x * 4), (byte)(y * 4));
        c.SaveAsPng(path);
    }

    private static string Folder(string name, Action<string> fill)
    {
        var root = TestSupport.TempDir(name);
        fill(root);
        return root;
    }

    private static void Refused(string name, string expected)
    {
        Assert.That(() => DatasetRegistry.Load(name, ForModel32, CPU), Throws.TypeOf<LabException>().With.Message.EqualTo(expected));
    }

    [Test]
    public void AFolderPerClassLoadsResizedToTheModelsInputWithSortedClasses()
    {
        var root = Folder("imagefolder", r =>
        {
            Png(Path.Combine(r, "zebra", "1.png"), 40, 30, seed: 1);
            Png(Path.Combine(r, "zebra", "2.jpg.png"), 64, 64, seed: 2);
            Png(Path.Combine(r, "ant", "1.png"), 20, 50, seed: 3);
            File.WriteAllText(Path.Combine(r, "ant", "README.txt"), "not an image: ignored, as by torchvision");
        });
        using var d = DatasetRegistry.Load("folder:" + root, ForModel32, CPU);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(d.ClassNames, Is.EqualTo(new[] { "ant", "zebra" }));
            Assert.That(d.Test.Images.shape, Is.EqualTo(new long[] { 3, 3, 32, 32 }));
            Assert.That(d.Test.Labels.data<long>().ToArray(), Is.EqualTo(new long[] { 0, 1, 1 }));
            Assert.That(d.Test.Images.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
            Assert.That(d.Test.Images.max().item<float>(), Is.LessThanOrEqualTo(1f));
        }
    }

    [Test]
    public void TrainAndTestSubfoldersAreTheSplits()
    {
        var root = Folder("splits", r =>
        {
            foreach (var split in new[] { "train", "test" })
                foreach (var cls in new[] { "a", "b" })
                    for (int i = 0; i < (split == "train" ? 3 : 2); i++) Png(Path.Combine(r, split, cls, $"{i}.png"), 32, 32, seed: i);
        });
        using var d = DatasetRegistry.Load("folder:" + root, ForModel32, CPU);
        Assert.That((d.Train.Count, d.Test.Count), Is.EqualTo((6, 4)));
    }

    [TestCase("val")]
    [TestCase("test")]
    public void ASplitFolderAloneIsTheTestSplitNotAClass(string split)
    {
        // ImageNet's validation images are usually kept as val/<class>/*.JPEG with no train/ beside them.
        var root = Folder("split-alone-" + split, r =>
        {
            foreach (var cls in new[] { "a", "b", "c" })
                for (int i = 0; i < 2; i++) Png(Path.Combine(r, split, cls, $"{i}.png"), 32, 32, seed: i);
        });
        using var d = DatasetRegistry.Load("folder:" + root, ForModel32, CPU);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(d.ClassNames, Is.EqualTo(new[] { "a", "b", "c" }));
            Assert.That(d.Test.Count, Is.EqualTo(6));
        }
    }

    [Test]
    public void ATrainSplitAloneIsRefused()
    {
        var root = Folder("train-alone", r =>
        {
            foreach (var cls in new[] { "a", "b" }) Png(Path.Combine(r, "train", cls, "0.png"), 32, 32);
        });
        Refused("folder:" + root, $"{root}: has a train/ split but no test/ (or val/) split beside it; add one, or give the folder of class folders itself");
    }

    [Test]
    public void AMissingFolderIsNamed() => Refused("folder:/nonexistent/images", "dataset folder '/nonexistent/images' not found");

    [Test]
    public void AnEmptyClassFolderIsNamed()
    {
        var root = Folder("empty-class", r =>
        {
            Png(Path.Combine(r, "a", "1.png"), 8, 8);
            Directory.CreateDirectory(Path.Combine(r, "b"));
        });
        Refused("folder:" + root, $"{Path.Combine(root, "b")}: empty class folder (no {string.Join("/", ImageFile.Extensions)} files)");
    }

    [Test]
    public void AClassFolderWithOneUnreadableFileNamesTheFile()
    {
        string bad = "";
        var root = Folder("unreadable", r =>
        {
            Png(Path.Combine(r, "a", "1.png"), 8, 8);
            Png(Path.Combine(r, "b", "1.png"), 8, 8);
            bad = Path.Combine(r, "b", "2.png");
            File.WriteAllBytes(bad, [0x89, 0x50, 0x4E, 0x47, 1, 2, 3]);
        });
        Assert.That(() => DatasetRegistry.Load("folder:" + root, ForModel32, CPU), Throws.TypeOf<LabException>().With.Message.StartsWith($"{bad}: not a readable image"));
    }

    [Test]
    public void MixedChannelCountsNameTheFile()
    {
        var root = Folder("mixed", r =>
        {
            Png(Path.Combine(r, "a", "1.png"), 8, 8);
            Png(Path.Combine(r, "b", "1.png"), 8, 8, grey: true);
        });
        Refused("folder:" + root, $"{Path.Combine(root, "b", "1.png")}: greyscale (1 channel) but {Path.Combine(root, "a", "1.png")} is colour (3 channels): mixed channel counts");
    }

    [Test]
    public void AnImageOverFiftyMegapixelsIsRefused()
    {
        var root = Folder("huge", r =>
        {
            Png(Path.Combine(r, "a", "1.png"), 8, 8);
            Png(Path.Combine(r, "b", "huge.png"), 7200, 7000, grey: true);
        });
        Refused("folder:" + root, $"{Path.Combine(root, "b", "huge.png")}: 7200x7000 is 50.4 megapixels, over the 50-megapixel limit");
    }

    private static void CifarFile(string path, int records, int badLabelAt = -1, int chop = 0)
    {
        var bytes = new byte[records * Cifar10Binary.RecordBytes];
        var rng = new Random(records);
        rng.NextBytes(bytes);
        for (int i = 0; i < records; i++) bytes[i * Cifar10Binary.RecordBytes] = (byte)(i == badLabelAt ? 12 : i % 10);
        File.WriteAllBytes(path, bytes[..^chop]);
    }

    [Test]
    public void CifarBinaryBatchesLoad()
    {
        var root = Folder("cifar", r =>
        {
            CifarFile(Path.Combine(r, "data_batch_1.bin"), 12);
            CifarFile(Path.Combine(r, "data_batch_2.bin"), 8);
            CifarFile(Path.Combine(r, "test_batch.bin"), 5);
        });
        using var d = DatasetRegistry.Load("cifar10:" + root, new DataOptions(ValidationSize: 4), CPU);
        var raw = File.ReadAllBytes(Path.Combine(root, "test_batch.bin"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That((d.Train.Count, d.Validation.Count, d.Test.Count), Is.EqualTo((16, 4, 5)));
            Assert.That(d.Test.Labels.data<long>().ToArray(), Is.EqualTo(new long[] { 0, 1, 2, 3, 4 }));
            Assert.That(d.ClassNames[3], Is.EqualTo("cat"));
            // Record 1, green plane, pixel (row 2, column 5): byte 1 + 1024 + 2 * 32 + 5 of the record.
            Assert.That(d.Test.Images[1, 1, 2, 5].item<float>(), Is.EqualTo(raw[Cifar10Binary.RecordBytes + 1 + 1024 + 69] / 255f).Within(1e-6));
        }
    }

    [Test]
    public void ATruncatedCifarFileIsNamed()
    {
        var root = Folder("cifar-truncated", r =>
        {
            CifarFile(Path.Combine(r, "data_batch_1.bin"), 4);
            CifarFile(Path.Combine(r, "test_batch.bin"), 3, chop: 100);
        });
        Refused("cifar10:" + root, $"{Path.Combine(root, "test_batch.bin")}: 9119 bytes is not a whole number of 3073-byte CIFAR-10 records (truncated or not a CIFAR-10 batch)");
    }

    [Test]
    public void ACorruptCifarLabelIsNamed()
    {
        var root = Folder("cifar-label", r =>
        {
            CifarFile(Path.Combine(r, "data_batch_1.bin"), 4, badLabelAt: 2);
            CifarFile(Path.Combine(r, "test_batch.bin"), 3);
        });
        Refused("cifar10:" + root, $"{Path.Combine(root, "data_batch_1.bin")}: record 2 has label 12, outside 0..9 (corrupt, or CIFAR-100?)");
    }

    [Test]
    public void AMissingCifarFolderIsNamed() => Refused("cifar10:/nonexistent/cifar", "CIFAR-10 folder '/nonexistent/cifar' not found");
}
