namespace RobustnessLab.Attacks;

/// <summary>
/// Projected Gradient Descent in L2 (Madry et al. 2017, arXiv:1706.06083): steps along grad / ||grad||_2,
/// projection onto the L2 ball around the original input, random start uniform in the ball, clamp to [0,1].
/// Defaults: 20 steps, alpha = eps / 8, random start, 1 restart; per-sample worst case kept.
/// </summary>
public sealed class PgdL2 : IterativeGradientAttack
{
    public override string Name => "pgd-l2";
    public override Distance Distance => Distance.L2;
}
