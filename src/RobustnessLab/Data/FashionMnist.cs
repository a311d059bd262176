using System.Diagnostics;
using RobustnessLab.Core;
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
        return IdxDataset.FindFile(SystemDirectory, "train-images-idx3-ubyte") is not null ? SystemDirectory : null;
    }

    /// <summary>The files a load reads (for a cache key: <see cref="DatasetContent"/>): the folder and its IDX files; null when none is found.</summary>
    public static (string Folder, IReadOnlyList<string> Files)? Source(string? dataDir) =>
        Locate(dataDir) is { } dir ? (dir, IdxDataset.PairFiles(dir)) : null;

    public static bool IsAvailable(string? dataDir = null)
    {
        var dir = Locate(dataDir);
        return dir is not null && IdxDataset.FindFile(dir, "t10k-labels-idx1-ubyte") is not null;
    }

    private static readonly IdxDataset.Kind Kind = new(Name, ClassNames, HowToGet);

    public static DataSplits Load(DataOptions options, Device? device = null)
    {
        var dir = Locate(options.DataDir) ?? throw new LabException(HowToGet);
        if (!Directory.Exists(dir)) throw new LabException($"Fashion-MNIST folder '{dir}' does not exist. " + HowToGet);
        var train = ReadPair(dir, "train", device ?? CPU);
        var test = ReadPair(dir, "t10k", device ?? CPU);
        return IdxDataset.Split(train, test, options.ValidationSize, options);
    }

    /// <summary>Reads one images/labels pair, e.g. "train" or "t10k".</summary>
    public static Dataset ReadPair(string dir, string prefix, Device device) => IdxDataset.ReadPair(dir, prefix, Kind, device);

    /// <summary>Measures how long a full load takes (for `lab info`).</summary>
    public static TimeSpan TimeLoad(string? dataDir)
    {
        var sw = Stopwatch.StartNew();
        using var s = Load(new DataOptions(dataDir));
        return sw.Elapsed;
    }
}
