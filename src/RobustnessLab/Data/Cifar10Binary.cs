using RobustnessLab.Core;
using static TorchSharp.torch;

namespace RobustnessLab.Data;

/// <summary>
/// CIFAR-10 from its binary distribution (cifar-10-batches-bin): data_batch_1.bin .. data_batch_5.bin and
/// test_batch.bin, each record a label byte and 3 x 32 x 32 bytes (red, green, blue planes). The path may be that
/// folder or its parent. Validated like the IDX reader: a missing test batch, a file whose length is not a whole
/// number of records, a label outside 0..9, each with one line naming the file; nothing loads from half a dataset.
/// Images are resized (bilinear) when the model's input is not 32 x 32.
/// </summary>
public static class Cifar10Binary
{
    public const string Prefix = "cifar10";
    public const int RecordBytes = 1 + 3 * 32 * 32;

    public static DataSplits Load(string path, DataOptions options, Device device)
    {
        if (!Directory.Exists(path)) throw new LabException($"CIFAR-10 folder '{path}' not found");
        var dir = File.Exists(Path.Combine(path, "test_batch.bin")) ? path : Path.Combine(path, "cifar-10-batches-bin");
        var testFile = Path.Combine(dir, "test_batch.bin");
        if (!File.Exists(testFile)) throw new LabException($"{path}: test_batch.bin not found (expected the CIFAR-10 binary batches, cifar-10-batches-bin)");
        var trainFiles = Enumerable.Range(1, 5).Select(i => Path.Combine(dir, $"data_batch_{i}.bin")).Where(File.Exists).ToArray();
        if (trainFiles.Length == 0) throw new LabException($"{dir}: no data_batch_1.bin .. data_batch_5.bin found");
        var (shape, _) = ImageFolderDataset.Target(options);
        // Read and check every file before building any tensor.
        var train = trainFiles.Select(Read).ToArray();
        var test = Read(testFile);
        Dataset Make(IReadOnlyList<(byte[] Images, long[] Labels)> parts, string split, int limit)
        {
            var images = parts.SelectMany(p => p.Images).ToArray();
            var labels = parts.SelectMany(p => p.Labels).ToArray();
            int n = labels.Length;
            if (limit > 0 && limit < n) n = limit;
            using var scope = NewDisposeScope();
            var x = tensor(images.AsSpan(0, n * 3072).ToArray(), [n, 3, 32, 32]).to(float32).div_(255f);
            if (shape is not null && (shape[1] != 32 || shape[2] != 32))
                x = nn.functional.interpolate(x, [shape[1], shape[2]], mode: InterpolationMode.Bilinear, align_corners: false).clamp_(0, 1);
            if (shape is not null && shape[0] == 1) x = (x[.., 0..1] * 0.299f + x[.., 1..2] * 0.587f + x[.., 2..3] * 0.114f);
            return new Dataset(Prefix + ":" + split, x.to(device), tensor(labels.AsSpan(0, n).ToArray()).to(device), ClassNames.Cifar10);
        }
        var trainSet = Make(train, "train", options.TrainLimit);
        int validation = Math.Min(options.ValidationSize, trainSet.Count / 5);
        var order = Enumerable.Range(0, trainSet.Count).Select(i => (long)i).OrderBy(i => LabContext.DeriveSeed(options.Seed, i)).ToArray();
        var val = trainSet.Subset(order.Take(Math.Max(1, validation)).ToArray(), Prefix + ":validation");
        var rest = validation > 0 ? trainSet.Subset(order.Skip(validation).ToArray(), Prefix + ":train") : trainSet.Take(trainSet.Count);
        trainSet.Dispose();
        return new DataSplits(rest, val, Make([test], "test", options.TestLimit));
    }

    private static (byte[] Images, long[] Labels) Read(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
            throw new LabException($"{file}: {bytes.Length} bytes is not a whole number of {RecordBytes}-byte CIFAR-10 records (truncated or not a CIFAR-10 batch)");
        int n = bytes.Length / RecordBytes;
        var images = new byte[n * 3072];
        var labels = new long[n];
        for (int i = 0; i < n; i++)
        {
            int label = bytes[i * RecordBytes];
            if (label > 9) throw new LabException($"{file}: record {i} has label {label}, outside 0..9 (corrupt, or CIFAR-100?)");
            labels[i] = label;
            Buffer.BlockCopy(bytes, i * RecordBytes + 1, images, i * 3072, 3072);
        }
        return (images, labels);
    }
}
