namespace RobustnessLab.Attacks;

/// <summary>
/// Projected Gradient Descent, Linf (Madry, Makelov, Schmidt, Tsipras, Vladu 2017, "Towards Deep Learning Models
/// Resistant to Adversarial Attacks", arXiv:1706.06083): from a uniform random start in the ball,
/// x_{t+1} = Clip_[0,1](Proj_{x,eps}(x_t + alpha * sign(grad_x L(x_t, y)))), cross-entropy loss.
/// Defaults: 20 steps, alpha = eps / 8 (2.5 eps / steps, Madry's ratio), random start, 1 restart; each sample keeps
/// its worst case across steps and restarts.
/// </summary>
public sealed class Pgd : IterativeGradientAttack
{
    public override string Name => "pgd";
    public override Distance Distance => Distance.Linf;
}
