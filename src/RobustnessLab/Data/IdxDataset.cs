using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Data;

/// <summary>
/// The skeleton shared by the datasets stored as IDX image/label pairs (MNIST, Fashion-MNIST): finding the files
/// (gzip or raw, either naming), reading a pair with the validated <see cref="IdxFile"/> reader and checking it
/// against the class list, and turning a training and a test set into <see cref="DataSplits"/> (a validation set
/// carved by seed, then the limits).
/// </summary>
public static class IdxDataset
{
    /// <summary>One dataset's identity: its name, classes, and the one-line hint appended to "file not found".</summary>
    public sealed record Kind(string Name, IReadOnlyList<string> ClassNames, string HowToGet, int? Side = null);

    /// <summary>The file for a stem such as "train-images-idx3-ubyte": .gz first, then raw, then "train-images.idx3-ubyte".</summary>
    public static string? FindFile(string dir, string stem)
    {
        foreach (var name in new[] { stem + ".gz", stem, stem.Replace("-idx", ".idx", StringComparison.Ordinal) })
        {
            var p = Path.Combine(dir, name);
            if (File.Exists(p)) return p;
        }
        return null;
    }

    /// <summary>The IDX files a pair reader takes from <paramref name="dir"/> (train and t10k images and labels), those that exist.</summary>
    public static IReadOnlyList<string> PairFiles(string dir) =>
        new[] { "train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte" }
            .Select(stem => FindFile(dir, stem)).OfType<string>().ToList();

    /// <summary>Whether <paramref name="dir"/> holds a training images file and a test labels file.</summary>
    public static bool HasPairs(string dir) =>
        FindFile(dir, "train-images-idx3-ubyte") is not null && FindFile(dir, "t10k-labels-idx1-ubyte") is not null;

    /// <summary>Reads one images/labels pair, e.g. "train" or "t10k".</summary>
    public static Dataset ReadPair(string dir, string prefix, Kind kind, Device device)
    {
        var imagesPath = FindFile(dir, $"{prefix}-images-idx3-ubyte") ?? throw new LabException($"{Path.Combine(dir, prefix + "-images-idx3-ubyte")}[.gz]: file not found. " + kind.HowToGet);
        var labelsPath = FindFile(dir, $"{prefix}-labels-idx1-ubyte") ?? throw new LabException($"{Path.Combine(dir, prefix + "-labels-idx1-ubyte")}[.gz]: file not found. " + kind.HowToGet);
        var images = IdxFile.Read(imagesPath, 3);
        var labels = IdxFile.Read(labelsPath, 1);
        if (kind.Side is int side && (images.Dimensions[1] != side || images.Dimensions[2] != side))
            throw new LabException($"{imagesPath}: images are {images.Dimensions[1]}x{images.Dimensions[2]}, {kind.Name}'s are {side}x{side}");
        return FromIdx(images, labels, imagesPath, labelsPath, kind.ClassNames, kind.Name, device);
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

    /// <summary>
    /// The splits from a full training and test set (both owned by this call): a validation set of
    /// <paramref name="validationSize"/> carved from the training set by <c>options.Seed</c>, then
    /// <c>options.TrainLimit</c> and <c>options.TestLimit</c>.
    /// </summary>
    public static DataSplits Split(Dataset train, Dataset test, int validationSize, DataOptions options)
    {
        var (tr, va) = SplitValidation(train, validationSize, options.Seed);
        train.Dispose();
        if (options.TrainLimit > 0 && tr.Count > options.TrainLimit) { var t = tr.Take(options.TrainLimit); tr.Dispose(); tr = t; }
        if (options.TestLimit > 0 && test.Count > options.TestLimit) { var t = test.Take(options.TestLimit); test.Dispose(); test = t; }
        return new DataSplits(tr, va, test);
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
}
