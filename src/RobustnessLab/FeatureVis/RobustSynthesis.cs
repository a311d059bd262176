using System.Diagnostics;
using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>Settings of <see cref="RobustSynthesis"/>; defaults defined once here.</summary>
public sealed record SynthesisOptions
{
    /// <summary>Projected gradient steps.</summary>
    public int Steps { get; init; } = 64;

    /// <summary>
    /// Radius of the L2 ball around the start that the image stays in, in [0, 1] pixel units at the model's input size
    /// (scaled by the side ratio when <see cref="ImageSize"/> is larger, so the per-pixel change is the same).
    /// </summary>
    public double Epsilon { get; init; } = 4;

    /// <summary>L2 length of each step as a fraction of <see cref="Epsilon"/> (0: 2.5 / steps, Madry et al.'s rule).</summary>
    public double RelativeStepSize { get; init; }

    /// <summary>Side of the optimised images (0: the model's input size); larger images are resized to the input for the model.</summary>
    public int ImageSize { get; init; }

    /// <summary>Steps at which to keep the images besides the last.</summary>
    public IReadOnlyList<int> SaveAt { get; init; } = [];

    /// <summary>
    /// Sigma, in pixels of the optimised image, of one Gaussian blur after the last step (0: none), as Lucid ends its
    /// visualisations: it removes the pixel-scale checkerboard a gradient leaves and keeps the shapes. The blurred image
    /// may leave the ball slightly; its logits and probabilities in the result are the blurred image's, and the last
    /// snapshot keeps the image before the blur.
    /// </summary>
    public double FinalBlurSigma { get; init; }

    public void Validate(int inputSize)
    {
        if (Steps < 1) throw new LabException($"synthesis: steps must be positive, got {Steps}");
        if (!(Epsilon > 0)) throw new LabException($"synthesis: epsilon must be positive, got {Epsilon}");
        if (!(RelativeStepSize >= 0)) throw new LabException($"synthesis: relative step size must be >= 0, got {RelativeStepSize}");
        if (!(FinalBlurSigma >= 0)) throw new LabException($"synthesis: final blur sigma must be >= 0, got {FinalBlurSigma}");
        if (ImageSize != 0 && ImageSize < inputSize) throw new LabException($"synthesis: image size must be 0 or at least the model's input {inputSize}, got {ImageSize}");
    }
}

/// <summary>
/// Class images from a robust classifier alone (Santurkar, Tsipras, Tran, Ilyas, Engstrom, Madry 2019, "Image Synthesis
/// with a Single (Robust) Classifier", arXiv:1906.09453): from a start image, projected gradient descent on the
/// cross-entropy of the wanted class inside an L2 ball around the start, clipped to [0, 1]. On an adversarially trained
/// model the gradient is perceptually aligned (Engstrom et al. 2019, arXiv:1906.00945), so the steps add the class's
/// shapes rather than adversarial texture; on a standard model they add noise. No transforms, no parametrisation: what
/// appears is what the model's gradient draws. The model runs in eval mode; its parameters' gradients are untouched.
/// </summary>
public static class RobustSynthesis
{
    /// <summary>
    /// Image i moves from <paramref name="starts"/>[i] ([N, C, S, S] in [0, 1], S the image size) toward class
    /// <paramref name="classes"/>[i]. The result's objective is each image's logit of its class.
    /// </summary>
    /// <param name="penalty">
    /// Optional image prior: per image ([N] from the [N, C, S, S] images), a differentiable penalty added to the
    /// cross-entropy before each step (e.g. a generator prior's <see cref="GeneratorPrior.Residual"/>, weighted), so the
    /// steps add only what that prior can draw.
    /// </param>
    public static VisualizationResult Render(Classifier model, IReadOnlyList<int> classes, Tensor starts, SynthesisOptions options, IReadOnlyList<int> seeds,
        IProgress<VisualizationProgress>? progress = null, CancellationToken cancel = default, Func<Tensor, Tensor>? penalty = null)
    {
        var spec = model.Spec;
        options.Validate(Math.Max(spec.Height, spec.Width));
        int n = classes.Count;
        if (starts.shape[0] != n || seeds.Count != n) throw new LabException($"synthesis: {n} classes, {starts.shape[0]} starts and {seeds.Count} seeds must agree");
        foreach (int c in classes)
            if (c < 0 || c >= model.NumClasses) throw new LabException($"synthesis: class {c} is out of range 0..{model.NumClasses - 1}");
        InputGradientCheck.Ensure(model);
        int size = (int)starts.shape[2];
        double scale = size / (double)spec.Height;
        double eps = options.Epsilon * scale;
        double step = eps * (options.RelativeStepSize > 0 ? options.RelativeStepSize : 2.5 / options.Steps);
        var resize = Transforms.Resize(spec.Height, spec.Width);
        var sw = Stopwatch.StartNew();
        var device = model.Device;

        return model.InEvalMode(() =>
        {
            using var target = tensor(classes.Select(c => (long)c).ToArray()).to(device);
            using var x0 = starts.detach().to(device).clone();
            using var epsilon = tensor(eps, dtype: float32, device: device);
            var x = x0.clone();
            var saveAt = new SortedSet<int>(options.SaveAt) { options.Steps };
            var snapshots = new List<VisualizationSnapshot>();
            for (int s = 1; s <= options.Steps; s++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var xi = x.detach().requires_grad_(true);
                var logits = model.call(resize(xi, new Random(0)));
                var loss = nn.functional.cross_entropy(logits, target, reduction: nn.Reduction.Sum);
                if (penalty is not null) loss = loss + penalty(xi).sum();
                var g = autograd.grad([loss], [xi])[0];
                using var ng = no_grad();
                var moved = xi.detach() - Distance.L2.Direction(g) * step;
                var delta = Distance.L2.Project(moved - x0, epsilon);
                var next = (x0 + delta).clamp(0, 1).MoveToOuterDisposeScope();
                x.Dispose();
                x = next;
                if (saveAt.Contains(s) || progress is not null && (s % 16 == 0 || s == options.Steps))
                {
                    var values = logits.detach().gather(1, target.view(-1, 1)).view(-1).cpu().data<float>().Select(v => (double)v).ToArray();
                    if (saveAt.Contains(s)) snapshots.Add(new VisualizationSnapshot(s, ImageData.FromBatch(x), values));
                    progress?.Report(new VisualizationProgress(s, options.Steps, values.Average()));
                }
            }

            using var final = NewDisposeScope();
            using var none = no_grad();
            if (options.FinalBlurSigma > 0)
            {
                var blurred = GaussianBlur.Apply(x, options.FinalBlurSigma).clamp(0, 1).MoveToOuterDisposeScope();
                x.Dispose();
                x = blurred;
            }
            var logitsFinal = model.call(resize(x, new Random(0)));
            var finalValues = logitsFinal.gather(1, target.view(-1, 1)).view(-1).cpu().data<float>().Select(v => (double)v).ToArray();
            var probs = nn.functional.softmax(logitsFinal, 1).cpu();
            var rows = Enumerable.Range(0, n).Select(i => probs[i].data<float>().Select(v => (double)v).ToArray()).ToList();
            var images = ImageData.FromBatch(x);
            x.Dispose();
            return new VisualizationResult
            {
                Objective = "logit of each image's class (robust synthesis: projected steps down its cross-entropy)",
                Seeds = seeds,
                Steps = options.Steps,
                Images = images,
                Snapshots = snapshots,
                FinalObjective = finalValues,
                ClassProbabilities = rows,
                Seconds = sw.Elapsed.TotalSeconds,
            };
        });
    }
}
