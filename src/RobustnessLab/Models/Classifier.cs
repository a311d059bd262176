using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// An image classifier taking [0,1] pixels (NCHW) and returning logits. Normalisation is its first layer, so every
/// attack, fooling search and visualisation works in pixel units. State-dict names follow PyTorch: "normalize.mean",
/// "net.0.weight", ...
/// </summary>
public sealed class Classifier : nn.Module<Tensor, Tensor>
{
    private readonly Normalize normalize;
    private readonly nn.Module<Tensor, Tensor> net;

    public Classifier(ModelSpec spec, nn.Module<Tensor, Tensor> body) : base(spec.Architecture)
    {
        Spec = spec;
        normalize = new Normalize(spec.Mean, spec.Std);
        net = body;
        RegisterComponents();
    }

    public ModelSpec Spec { get; }
    public IReadOnlyList<string> ClassNames => Spec.ClassNames;
    public int NumClasses => Spec.NumClasses;

    /// <summary>The layers after normalisation (for probes that hook by path, e.g. "net.3").</summary>
    public nn.Module<Tensor, Tensor> Body => net;

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return net.call(normalize.call(x)).MoveToOuterDisposeScope();
    }

    /// <summary>Device of the parameters.</summary>
    public Device Device => parameters().First().device;

    /// <summary>Runs an action with the model in eval mode and restores the caller's mode afterwards.</summary>
    public T InEvalMode<T>(Func<T> action)
    {
        bool wasTraining = training;
        eval();
        try { return action(); }
        finally { if (wasTraining) train(); }
    }

    /// <summary>Logits for a whole tensor of inputs, in batches, without gradients; eval mode, caller's mode restored.</summary>
    public Tensor Predict(Tensor x, int batchSize = 1000)
    {
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
