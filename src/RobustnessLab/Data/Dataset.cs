using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Data;

/// <summary>
/// A labelled image set held as tensors: images float32 in [0,1], NCHW; labels int64. Owns its tensors.
/// </summary>
public sealed class Dataset : IDisposable
{
    public Dataset(string name, Tensor images, Tensor labels, IReadOnlyList<string> classNames)
    {
        if (images.dim() != 4) throw new ArgumentException($"images must be NCHW, got {images.dim()} dimensions");
        if (labels.dim() != 1 || labels.shape[0] != images.shape[0])
            throw new ArgumentException($"labels must be a vector of {images.shape[0]} entries");
        Name = name;
        Images = images.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        ClassNames = classNames;
    }

    public string Name { get; }
    public Tensor Images { get; }
    public Tensor Labels { get; }
    public IReadOnlyList<string> ClassNames { get; }
    public int Count => (int)Images.shape[0];
    public int Channels => (int)Images.shape[1];
    public int Height => (int)Images.shape[2];
    public int Width => (int)Images.shape[3];
    public int NumClasses => ClassNames.Count;

    /// <summary>A new dataset holding copies of the given rows.</summary>
    public Dataset Subset(long[] indices, string? name = null)
    {
        using var scope = NewDisposeScope();
        using var idx = tensor(indices, device: Images.device);
        var x = Images.index_select(0, idx).MoveToOuterDisposeScope();
        var y = Labels.index_select(0, idx).MoveToOuterDisposeScope();
        return new Dataset(name ?? Name, x, y, ClassNames);
    }

    /// <summary>The first n rows (all rows if n exceeds the count).</summary>
    public Dataset Take(int n) => Subset(Enumerable.Range(0, Math.Min(n, Count)).Select(i => (long)i).ToArray());

    /// <summary>
    /// Row order for one epoch: a permutation drawn from the generator, or 0..N-1 when it is null. Tensors for each
    /// batch are made by <see cref="Batch"/> inside the caller's dispose scope.
    /// </summary>
    public long[] Order(Generator? shuffle)
    {
        if (shuffle is null) return Enumerable.Range(0, Count).Select(i => (long)i).ToArray();
        using var perm = randperm(Count, generator: shuffle);
        return perm.data<long>().ToArray();
    }

    /// <summary>Rows order[start .. start+size) as (x, y) on the given device; call inside a dispose scope.</summary>
    public (Tensor X, Tensor Y) Batch(long[] order, int start, int size, Device? device = null)
    {
        int end = Math.Min(order.Length, start + size);
        var x = Images;
        var y = Labels;
        Tensor bx, by;
        if (IsContiguousRun(order, start, end))
        {
            bx = x.narrow(0, order[start], end - start);
            by = y.narrow(0, order[start], end - start);
        }
        else
        {
            using var idx = tensor(order.AsSpan(start, end - start).ToArray(), device: Images.device);
            bx = x.index_select(0, idx);
            by = y.index_select(0, idx);
        }
        if (device is not null && device.type != Images.device.type)
        {
            bx = bx.to(device);
            by = by.to(device);
        }
        return (bx, by);
    }

    private static bool IsContiguousRun(long[] order, int start, int end)
    {
        for (int i = start + 1; i < end; i++) if (order[i] != order[i - 1] + 1) return false;
        return true;
    }

    /// <summary>Number of examples per class.</summary>
    public int[] ClassCounts()
    {
        using var scope = NewDisposeScope();
        var counts = Labels.bincount(null, NumClasses).data<long>().ToArray();
        return counts.Select(c => (int)c).ToArray();
    }

    /// <summary>Moves the tensors to a device (a new dataset; this one stays valid).</summary>
    public Dataset To(Device device)
    {
        if (device.type == Images.device.type && device.index == Images.device.index) return new Dataset(Name, Images.alias(), Labels.alias(), ClassNames);
        return new Dataset(Name, Images.to(device), Labels.to(device), ClassNames);
    }

    public void Dispose()
    {
        Images.Dispose();
        Labels.Dispose();
    }
}
