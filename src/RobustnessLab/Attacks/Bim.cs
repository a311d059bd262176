namespace RobustnessLab.Attacks;

/// <summary>
/// Basic Iterative Method / I-FGSM (Kurakin, Goodfellow, Bengio 2016, "Adversarial examples in the physical
/// world", arXiv:1607.02533): FGSM repeated with a small step from the clean input (no random start), clipped to
/// the eps ball and to [0,1] after every step. Linf. Defaults: 10 steps of eps / 4 (torchattacks' ratio,
/// 2/255 for 8/255); the paper's rule (alpha = 1/255, min(eps*255 + 4, 1.25 eps*255) steps) is one setting away.
/// </summary>
public sealed class Bim : IterativeGradientAttack
{
    public Bim()
    {
        Steps = 10;
        RelativeStepSize = 0.25;
        RandomStart = false;
    }

    public override string Name => "bim";
    public override Distance Distance => Distance.Linf;
}
