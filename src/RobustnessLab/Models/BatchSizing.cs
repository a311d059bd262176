using System.Runtime.CompilerServices;
using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// Batch sizes that keep every activation of a model below glibc's mmap threshold (<see cref="NativeAllocator"/>:
/// 32 MB, glibc's largest). A tensor above it gets a fresh mmap and is unmapped when freed, so every forward pass
/// pays page faults on newly zeroed pages for it; past that size the time per image jumps. Measured here (2 threads,
/// torchvision ResNet-50 at 224 px, forward without gradients, oneDNN off as for every ResNet-50 run): 74-91 ms per
/// image at batch 4-8 (largest activation 64x112x112 floats: 25.7 MB at batch 8), 186 ms at batch 12 (38.5 MB) and
/// 479 ms at batch 100, so a fixed inference batch of 1,000 made `lab eval` of 100 images 6 times slower than it
/// needed to be. The same threshold is where the default cnn's FGSM throughput halves between batch 256 and 512
/// (`lab bench --only batches`). The largest activation is measured once per model instance, from one zero input
/// through forward hooks on every tensor-to-tensor submodule (hooks fire only for modules run through
/// <c>call()</c>; a module that runs its layers through <c>forward()</c> shows only its input and logits, and keeps
/// the batch asked for).
/// </summary>
public static class BatchSizing
{
    private static readonly ConditionalWeakTable<Classifier, StrongBox<long>> Measured = new();

    /// <summary>Elements of the largest tensor one input produces in the model's forward pass (input and logits included).</summary>
    public static long LargestActivationElements(Classifier model)
    {
        if (Measured.TryGetValue(model, out var known)) return known.Value;
        long largest = model.InputShape.Aggregate(1L, (a, b) => a * b);
        var removers = new List<Action>();
        foreach (var (_, m) in model.named_modules())
        {
            if (m is not nn.Module<Tensor, Tensor> hookable) continue;
            var handle = hookable.register_forward_hook((_, _, output) =>
            {
                largest = Math.Max(largest, output.numel());
                return output;
            });
            removers.Add(handle.remove);
        }
        try
        {
            model.InEvalMode(() =>
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                model.call(zeros([1L, .. model.InputShape.Select(d => (long)d)], device: model.Device));
                return 0;
            });
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        Measured.AddOrUpdate(model, new StrongBox<long>(largest));
        return largest;
    }

    /// <summary>
    /// The largest batch, at most <paramref name="requested"/>, whose every float32 activation stays within the mmap
    /// threshold (at least 1).
    /// </summary>
    public static int Fit(Classifier model, int requested)
    {
        if (requested <= 1) return Math.Max(1, requested);
        long bytes = LargestActivationElements(model) * sizeof(float);
        long fit = Math.Max(1, NativeAllocator.MmapThresholdBytes / bytes);
        return (int)Math.Min(requested, fit);
    }
}
