namespace RobustnessLab.Attacks;

/// <summary>
/// Momentum Iterative FGSM (Dong, Liao, Pang, Su, Zhu, Hu, Li 2018, "Boosting Adversarial Attacks with Momentum",
/// arXiv:1710.06081): g_{t+1} = mu * g_t + grad / ||grad||_1, x_{t+1} = Clip(x_t + alpha * sign(g_{t+1})).
/// Linf. Defaults: 10 steps, alpha = eps / steps, mu = 1.0, no random start (as in the paper).
/// </summary>
public sealed class MiFgsm : IterativeGradientAttack
{
    public MiFgsm()
    {
        Steps = 10;
        RelativeStepSize = 0.1;
        RandomStart = false;
    }

    public override string Name => "mi-fgsm";
    public override Distance Distance => Distance.Linf;

    /// <summary>Momentum decay mu (default 1.0).</summary>
    public double Decay { get; init; } = 1.0;

    protected override double Momentum => Decay;

    public override void Validate()
    {
        base.Validate();
        if (!(Decay > 0)) throw new Core.LabException($"{Name}: decay must be positive, got {Decay}");
    }
}
