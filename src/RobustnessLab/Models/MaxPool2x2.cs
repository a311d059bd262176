using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// 2x2 max pooling with stride 2, as <c>nn.MaxPool2d(2)</c> (an odd last row or column is dropped). Where a gradient
/// will flow through it, it is libtorch's <c>max_pool2d</c>, whose backward pass sends each window's gradient to its
/// first maximum. libtorch's CPU <c>max_pool2d</c> always computes those argmax indices, with a slow scalar kernel:
/// on the default cnn it is over half of a forward pass. Passes without gradients (Square's queries, FAB's and the
/// fooling search's scoring, clean accuracy) take the maximum of the window's four strided slices instead: the same
/// values, bit for bit; the cnn's gradient-free forward pass is about 2x faster (`lab bench --only batches` times both).
/// </summary>
public sealed class MaxPool2x2 : nn.Module<Tensor, Tensor>
{
    public MaxPool2x2() : base(nameof(MaxPool2x2))
    {
    }

    /// <summary>
    /// Whether gradient-free passes use the strided-slice kernel (default true); results do not depend on it.
    /// </summary>
    private static bool SliceKernel { get; set; } = true;

    /// <summary>
    /// Until disposed, gradient-free passes use libtorch's max_pool2d too (process-wide; the benchmark's baseline path
    /// and kernel comparison, which run alone).
    /// </summary>
    internal static IDisposable UseMaxPool2d()
    {
        SliceKernel = false;
        return new Restore();
    }

    private sealed class Restore : IDisposable
    {
        public void Dispose() => SliceKernel = true;
    }

    public override Tensor forward(Tensor x)
    {
        if (!SliceKernel || (is_grad_enabled() && x.requires_grad)) return nn.functional.max_pool2d(x, 2);
        long h = x.shape[^2] / 2 * 2, w = x.shape[^1] / 2 * 2;
        var even = TensorIndex.Slice(0, h, 2);
        var odd = TensorIndex.Slice(1, h, 2);
        var evenW = TensorIndex.Slice(0, w, 2);
        var oddW = TensorIndex.Slice(1, w, 2);
        using var top = maximum(x[TensorIndex.Ellipsis, even, evenW], x[TensorIndex.Ellipsis, even, oddW]);
        using var bottom = maximum(x[TensorIndex.Ellipsis, odd, evenW], x[TensorIndex.Ellipsis, odd, oddW]);
        return maximum(top, bottom);
    }
}
