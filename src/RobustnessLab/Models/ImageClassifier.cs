using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// A classifier made of a normalisation layer and any module returning logits: the zoo builds its models this way,
/// and <see cref="From"/> wraps a researcher's own <c>nn.Module&lt;Tensor, Tensor&gt;</c>. State-dict names follow
/// PyTorch with the wrapped module under "net.": "normalize.mean", "net.0.weight", ...
/// </summary>
public sealed class ImageClassifier : Classifier
{
    private readonly Normalize normalize;
    private readonly nn.Module<Tensor, Tensor> net;
    private readonly ModelSpec spec;

    public ImageClassifier(ModelSpec spec, nn.Module<Tensor, Tensor> body) : base(spec.Architecture)
    {
        this.spec = spec;
        normalize = new Normalize(spec.Mean, spec.Std);
        net = body;
        RegisterComponents();
    }

    public override ModelSpec Spec => spec;

    /// <summary>The layers after normalisation (for probes that hook by path, e.g. "net.3").</summary>
    public nn.Module<Tensor, Tensor> Body => net;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return net.call(normalize.call(x)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Wraps a module that returns logits so every attack, evaluation, fooling search and visualisation accepts it.
    /// The classifier takes [0,1] pixels; before the module sees them they are mapped to
    /// <paramref name="moduleRange"/> (default [0,1]) and then normalised with <paramref name="mean"/> and
    /// <paramref name="std"/> (given in the module's units; default none). The module becomes the classifier's
    /// "net" submodule and keeps its own parameters (no copy).
    /// </summary>
    /// <param name="module">Maps [N, C, H, W] inputs to [N, classes] logits (not probabilities).</param>
    /// <param name="classNames">One name per logit, in logit order.</param>
    /// <param name="inputShape">C x H x W, e.g. [3, 32, 32].</param>
    /// <param name="mean">Per-channel mean subtracted before the module (e.g. ImageNet's 0.485, 0.456, 0.406).</param>
    /// <param name="std">Per-channel standard deviation divided by before the module.</param>
    /// <param name="moduleRange">The input range the module was trained on, e.g. (0, 255).</param>
    /// <param name="name">Recorded as the spec's architecture (default: the module's type name).</param>
    public static ImageClassifier From(nn.Module<Tensor, Tensor> module, IReadOnlyList<string> classNames, int[] inputShape,
        float[]? mean = null, float[]? std = null, (double Min, double Max)? moduleRange = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        if (inputShape is null || inputShape.Length != 3 || inputShape.Any(d => d <= 0))
            throw new LabException($"input shape must be C x H x W, got [{string.Join(", ", inputShape ?? [])}]");
        if (classNames is null || classNames.Count < 2) throw new LabException("a classifier needs at least 2 class names");
        int c = inputShape[0];
        mean ??= new float[c];
        std ??= Enumerable.Repeat(1f, c).ToArray();
        if (mean.Length != c || std.Length != c)
            throw new LabException($"normalisation needs one mean and one std per channel: {c} channels, {mean.Length} means, {std.Length} stds");
        if (std.Any(s => !(s > 0))) throw new LabException("std must be positive");
        var (lo, hi) = moduleRange ?? (0, 1);
        if (!(hi > lo)) throw new LabException($"module range must have max > min, got [{lo}, {hi}]");
        // module(((lo + x (hi - lo)) - mean) / std) == module((x - (mean - lo) / (hi - lo)) / (std / (hi - lo)))
        var spec = new ModelSpec
        {
            Architecture = name ?? module.GetType().Name,
            InputShape = inputShape.ToArray(),
            ClassNames = classNames.ToArray(),
            Mean = mean.Select(m => (float)((m - lo) / (hi - lo))).ToArray(),
            Std = std.Select(s => (float)(s / (hi - lo))).ToArray(),
        };
        return new ImageClassifier(spec, module);
    }
}
