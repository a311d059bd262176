using System.Diagnostics;
using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Data;

/// <summary>
/// Fashion-MNIST (Xiao, Rasul, Vollgraf 2017, arXiv:1708.07747): 60,000 training and 10,000 test greyscale
/// 28x28 images of ten kinds of clothing. Read from its four IDX files, gzip or raw.
/// </summary>
public static class FashionMnist
{
    public const string Name = "fashion-mnist";
    public const string EnvironmentVariable = "FASHION_MNIST_DIR";
    public const string SystemDirectory = "/usr/share/datasets/fashion-mnist";

    public static readonly IReadOnlyList<string> ClassNames =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    public const string HowToGet =
        "Fashion-MNIST not found. Install Debian's package (sudo apt-get install dataset-fashion-mnist, files in " + SystemDirectory +
        "), or point --data-dir or " + EnvironmentVariable + " at a folder holding train-images-idx3-ubyte[.gz], train-labels-idx1-ubyte[.gz], t10k-images-idx3-ubyte[.gz], t10k-labels-idx1-ubyte[.gz].";

    /// <summary>The folder to read: explicit, else the environment variable, else Debian's path; null when none has the files.</summary>
    public static string? Locate(string? dataDir)
    {
        if (!string.IsNullOrEmpty(dataDir)) return dataDir;
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env)) return env;
        return FindFile(SystemDirectory, "train-images-idx3-ubyte") is not null ? SystemDirectory : null;
    }

    public static bool IsAvailable(string? dataDir = null)
    {
        var dir = Locate(dataDir);
        return dir is not null && FindFile(dir, "t10k-labels-idx1-ubyte") is not null;
    }

    public static DataSplits Load(DataOptions options, Device? device = null)
    {
        var dir = Locate(options.DataDir) ?? throw new LabException(HowToGet);
        if (!Directory.Exists(dir)) throw new LabException($"Fashion-MNIST folder '{dir}' does not exist. " + HowToGet);
        var train = ReadPair(dir, "train", device ?? CPU);
        var test = ReadPair(dir, "t10k", device ?? CPU);
        var (tr, va) = SplitValidation(train, options.ValidationSize, options.Seed);
        train.Dispose();
        if (options.TrainLimit > 0 && tr.Count > options.TrainLimit) { var t = tr.Take(options.TrainLimit); tr.Dispose(); tr = t; }
        if (options.TestLimit > 0 && test.Count > options.TestLimit) { var t = test.Take(options.TestLimit); test.Dispose(); test = t; }
        return new DataSplits(tr, va, test);
    }

    /// <summary>Reads one images/labels pair, e.g. "train" or "t10k".</summary>
    public static Dataset ReadPair(string dir, string prefix, Device device)
    {
        var imagesPath = FindFile(dir, $"{prefix}-images-idx3-ubyte") ?? throw new LabException($"{Path.Combine(dir, prefix + "-images-idx3-ubyte")}[.gz]: file not found. " + HowToGet);
        var labelsPath = FindFile(dir, $"{prefix}-labels-idx1-ubyte") ?? throw new LabException($"{Path.Combine(dir, prefix + "-labels-idx1-ubyte")}[.gz]: file not found. " + HowToGet);
        var images = IdxFile.Read(imagesPath, 3);
        var labels = IdxFile.Read(labelsPath, 1);
        return FromIdx(images, labels, imagesPath, labelsPath, ClassNames, Name, device);
    }

    /// <summary>Checks an images/labels pair against each other and the class list, and makes the tensors.</summary>
    public static Dataset FromIdx(IdxFile.Content images, IdxFile.Content labels, string imagesName, string labelsName,
        IReadOnlyList<string> classNames, string datasetName, Device device)
    {
        int n = images.Dimensions[0], h = images.Dimensions[1], w = images.Dimensions[2];
        if (labels.Dimensions[0] != n)
            throw new LabException($"{labelsName}: {labels.Dimensions[0]} labels but {imagesName} has {n} images");
        for (int i = 0; i < labels.Data.Length; i++)
            if (labels.Data[i] >= classNames.Count)
                throw new LabException($"{labelsName}: label {labels.Data[i]} at index {i} is outside 0..{classNames.Count - 1}");
        using var scope = NewDisposeScope();
        var x = tensor(images.Data, new long[] { n, 1, h, w }, dtype: ScalarType.Byte).to(ScalarType.Float32).div_(255f).to(device);
        var y = tensor(labels.Data, dtype: ScalarType.Byte).to(ScalarType.Int64).to(device);
        return new Dataset(datasetName, x.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), classNames);
    }

    /// <summary>Carves a validation set of the given size from a training set, deterministically by seed.</summary>
    public static (Dataset Train, Dataset Validation) SplitValidation(Dataset full, int validationSize, int seed)
    {
        if (validationSize < 0 || validationSize >= full.Count)
            throw new LabException($"validation size {validationSize} must be in [0, {full.Count - 1}]");
        using var g = new Generator(LabContext.DeriveSeed(seed, 0x5EED_5A11), CPU);
        var order = full.Order(g);
        var valIdx = order.Take(validationSize).OrderBy(i => i).ToArray();
        var trainIdx = order.Skip(validationSize).OrderBy(i => i).ToArray();
        return (full.Subset(trainIdx), full.Subset(valIdx, full.Name));
    }

    private static string? FindFile(string dir, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx", StringComparison.Ordinal) })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>Measures how long a full load takes (for `lab info`).</summary>
    public static TimeSpan TimeLoad(string? dataDir)
    {
        var sw = Stopwatch.StartNew();
        using var s = Load(new DataOptions(dataDir));
        return sw.Elapsed;
    }
}
