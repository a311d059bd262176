using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// What every attack, evaluation, fooling search, visualisation and <c>RobustnessAssert</c> takes: a module that
/// maps [0,1] pixels (NCHW, <see cref="ValueRange"/>) to logits, with its class names and input shape. Zoo models
/// and a researcher's own modules (<see cref="ImageClassifier.From"/>) are both kinds of classifier; a subclass only
/// has to describe itself (<see cref="Spec"/>) and implement <c>forward</c>.
/// </summary>
public abstract class Classifier : nn.Module<Tensor, Tensor>
{
    protected Classifier(string name) : base(name) { }

    /// <summary>Architecture, input shape C x H x W, class names and the normalisation inside the model.</summary>
    public abstract ModelSpec Spec { get; }

    public IReadOnlyList<string> ClassNames => Spec.ClassNames;
    public int NumClasses => Spec.NumClasses;

    /// <summary>C x H x W of one input.</summary>
    public int[] InputShape => Spec.InputShape;

    /// <summary>
    /// The valid input range. Always [0,1] pixels: normalisation (and any rescaling a wrapped module needs) happens
    /// inside the model, so epsilons are in pixel units for every classifier.
    /// </summary>
    public (double Min, double Max) ValueRange => (0, 1);

    /// <summary>
    /// Whether attacks, fooling and visualisation skip the float32-vs-float64 input-gradient self-check
    /// (<see cref="InputGradientCheck"/>) for this model. Off by default.
    /// </summary>
    public bool SkipGradientCheck { get; set; }

    /// <summary>
    /// The oneDNN state (true: switched off) under which the self-check last passed for this instance, or null when it
    /// has not passed. libtorch's kernels with and without oneDNN have different defects, so a change of state (another
    /// model's check switching oneDNN off) means checking again.
    /// </summary>
    internal bool? GradientCheckPassedWithMkldnnOff { get; set; }

    /// <summary>Device of the parameters (CPU for a model without parameters).</summary>
    public Device Device => parameters().FirstOrDefault()?.device ?? CPU;

    /// <summary>Runs an action with the model in eval mode and restores the caller's mode afterwards.</summary>
    public T InEvalMode<T>(Func<T> action)
    {
        bool wasTraining = training;
        eval();
        try { return action(); }
        finally { if (wasTraining) train(); }
    }

    /// <summary>
    /// Logits for a whole tensor of inputs, in batches of at most <paramref name="batchSize"/> (fewer where an
    /// activation would pass the allocator's mmap threshold: <see cref="BatchSizing"/>), without gradients; eval mode,
    /// caller's mode restored.
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 1000)
    {
        batchSize = BatchSizing.Fit(this, batchSize);
        return InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var parts = new List<Tensor>();
            for (long i = 0; i < x.shape[0]; i += batchSize)
                parts.Add(call(x.narrow(0, i, Math.Min(batchSize, x.shape[0] - i))));
            return cat(parts, 0).MoveToOuterDisposeScope();
        });
    }

    /// <summary>Number of trainable parameters.</summary>
    public long ParameterCount() => parameters().Sum(p => p.numel());
}
