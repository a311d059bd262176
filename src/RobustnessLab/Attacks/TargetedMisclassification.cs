using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// Targeted criterion: success means the prediction equals the target and the target is not the true label.
/// Samples whose true label already is the given target can never count as a success.
/// </summary>
/// <param name="Rule">How each sample's target is chosen.</param>
/// <param name="TargetClass">The class for <see cref="TargetRule.Given"/>; ignored by the other rules.</param>
public sealed record TargetedMisclassification(TargetRule Rule, int? TargetClass = null) : Criterion
{
    public override bool IsTargeted => true;

    public override string Describe() => Rule switch
    {
        TargetRule.Given => $"targeted (class {TargetClass})",
        TargetRule.LeastLikely => "targeted (least-likely)",
        _ => "targeted (random)",
    };

    public override void Validate(int numClasses)
    {
        if (Rule == TargetRule.Given)
        {
            if (TargetClass is not { } t) throw new LabException("targeted attack with the 'given' rule needs a target class");
            if (t < 0 || t >= numClasses) throw new LabException($"target class {t} is out of range: the model has classes 0..{numClasses - 1}");
        }
        if (numClasses < 2) throw new LabException("a targeted attack needs at least 2 classes");
    }

    public override Tensor ResolveTargets(Tensor labels, Tensor cleanLogits, Generator? generator)
    {
        int k = (int)cleanLogits.shape[1];
        Validate(k);
        using var scope = NewDisposeScope();
        Tensor targets = Rule switch
        {
            TargetRule.Given => full_like(labels, TargetClass!.Value),
            // Least likely among the classes other than the label (the label can be least likely for a wrong model).
            TargetRule.LeastLikely => AttackLoss.Exclude(cleanLogits.detach(), labels, float.PositiveInfinity).argmin(1),
            // label + U{1..K-1} mod K: uniform over the other classes.
            _ => (labels + randint(1, k, labels.shape, dtype: ScalarType.Int64, device: labels.device, generator: generator)).remainder(k),
        };
        return targets.MoveToOuterDisposeScope();
    }
}
