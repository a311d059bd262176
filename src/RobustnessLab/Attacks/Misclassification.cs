using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>Untargeted criterion: the adversarial input is classified as anything but the true label.</summary>
public sealed record Misclassification : Criterion
{
    public override bool IsTargeted => false;

    public override string Describe() => "untargeted";

    public override Tensor ResolveTargets(Tensor labels, Tensor cleanLogits, Generator? generator) => labels.alias();
}
