using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Which input pixels a class logit depends on. Every method takes input gradients with autograd.grad in eval
/// mode (the caller's mode restored), so no parameter gradient is written. Results are plain CHW arrays
/// (<see cref="ImageData"/> holding signed values, not pixels).
/// </summary>
public static class Attribution
{
    public static ImageData Compute(Classifier model, ImageData image, int classIndex, AttributionMethod method,
        int samples = 32, double noise = 0.15, ImageData? baseline = null, int seed = 0)
    {
        if (classIndex < 0 || classIndex >= model.NumClasses)
            throw new LabException($"class index {classIndex} is outside 0..{model.NumClasses - 1}");
        if (samples < 1) throw new LabException($"samples must be positive, got {samples}");
        var s = model.Spec;
        if (image.Channels != s.Channels || image.Height != s.Height || image.Width != s.Width)
            throw new LabException($"image is {image.Channels}x{image.Height}x{image.Width}, the model takes {s.Channels}x{s.Height}x{s.Width}");
        InputGradientCheck.Ensure(model);
        return model.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            var x = image.ToTensor(model.Device);
            Tensor result = method switch
            {
                AttributionMethod.Gradient => Gradient(model, x, classIndex).sum(0, keepdim: true),
                AttributionMethod.SmoothGrad => SmoothGrad(model, x, classIndex, samples, noise, seed),
                AttributionMethod.IntegratedGradients => IntegratedGradients(model, x, (baseline ?? new ImageData(image.Channels, image.Height, image.Width, new float[image.Pixels.Length])).ToTensor(model.Device), classIndex, samples),
                _ => throw new LabException($"unknown attribution method {method}"),
            };
            return ImageData.FromTensor(result);
        });
    }

    /// <summary>
    /// Gradients of the class logit for each row of a batch [N,C,H,W], in one batched pass (rows are independent in
    /// eval mode: the logit sum's gradient with respect to row i is row i's own gradient).
    /// </summary>
    public static Tensor Gradient(Classifier model, Tensor x, int classIndex)
    {
        using var scope = NewDisposeScope();
        var input = x.detach().clone().requires_grad_(true);
        var logit = model.call(input).select(1, classIndex).sum();
        return autograd.grad([logit], [input])[0].detach().MoveToOuterDisposeScope();
    }

    private static Tensor SmoothGrad(Classifier model, Tensor x, int classIndex, int samples, double noise, int seed)
    {
        using var scope = NewDisposeScope();
        using var gen = new Generator(LabContext.DeriveSeed(seed, 0x5600), CPU);
        var eps = randn(new long[] { samples, x.shape[1], x.shape[2], x.shape[3] }, generator: gen).to(x.device) * noise;
        var noisy = x.expand(samples, -1, -1, -1) + eps;
        return Gradient(model, noisy, classIndex).mean([0], keepdim: true).MoveToOuterDisposeScope();
    }

    private static Tensor IntegratedGradients(Classifier model, Tensor x, Tensor baseline, int classIndex, int steps)
    {
        using var scope = NewDisposeScope();
        // Midpoint Riemann sum of the gradient along baseline -> x.
        var alphas = tensor(Enumerable.Range(0, steps).Select(k => (k + 0.5f) / steps).ToArray(), device: x.device);
        var path = baseline + alphas.view(-1, 1, 1, 1) * (x - baseline);
        var meanGrad = Gradient(model, path, classIndex).mean([0], keepdim: true);
        return ((x - baseline) * meanGrad).MoveToOuterDisposeScope();
    }

    /// <summary>Share of the positive attribution (summed over channels per pixel) that falls on the masked pixels.</summary>
    public static double PositiveShare(ImageData attribution, bool[] mask)
    {
        int n = attribution.Height * attribution.Width;
        if (mask.Length != n) throw new ArgumentException($"mask has {mask.Length} pixels, attribution {n}");
        double inside = 0, total = 0;
        for (int i = 0; i < n; i++)
        {
            double v = 0;
            for (int c = 0; c < attribution.Channels; c++) v += attribution.Pixels[c * n + i];
            if (v <= 0) continue;
            total += v;
            if (mask[i]) inside += v;
        }
        return total > 0 ? inside / total : 0;
    }
}
