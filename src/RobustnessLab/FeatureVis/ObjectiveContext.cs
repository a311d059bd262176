using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// What an objective can read at one optimisation step: the parametrised image (before transforms, [B,C,H,W] in
/// [0,1]), the model's logits for the transformed image, and hooked activations by module path.
/// </summary>
public sealed class ObjectiveContext
{
    private readonly ActivationProbe? probe;

    public ObjectiveContext(Tensor image, Tensor logits, ActivationProbe? probe)
    {
        Image = image;
        Logits = logits;
        this.probe = probe;
    }

    public Tensor Image { get; }

    public Tensor Logits { get; }

    public long BatchSize => Image.shape[0];

    /// <summary>The output of the module at <paramref name="path"/> in the last forward pass.</summary>
    public Tensor Activation(string path) =>
        probe is null ? throw new InvalidOperationException($"no probe was attached for layer '{path}'") : probe[path];
}
