using RobustnessLab.Attacks;

namespace RobustnessLab.Evaluation;

/// <summary>
/// One attack at one epsilon. Success rates are given both over the initially-correct samples and over all
/// samples (a rate over all samples alone flatters an attack on a weak model); for untargeted attacks already-misclassified samples count as successes in the latter
/// (the clean image is in the ball), so success_rate_all = 1 - robust_accuracy. Norms are measured on the returned (clipped) images.
/// </summary>
public record AttackRecord
{
    public required string Attack { get; init; }
    public required string Norm { get; init; }
    public required double Eps { get; init; }
    public required bool Targeted { get; init; }
    /// <summary>
    /// Fraction of all samples classified correctly both clean and after the attack (a sample misclassified to begin
    /// with is never robust: the clean image lies in every ball). Never above the clean accuracy.
    /// </summary>
    public required double RobustAccuracy { get; init; }
    /// <summary>
    /// Fraction of all samples whose attacked image is classified correctly, whatever the clean prediction (what
    /// torchattacks-style "accuracy on adversarial examples" reports). Above <see cref="RobustAccuracy"/> where a
    /// loss-maximising step moved a misclassified sample onto its class; above the clean accuracy under label leaking
    /// (Kurakin et al. 2016). Null in records written before it was kept.
    /// </summary>
    public double? AccuracyUnderAttack { get; init; }
    /// <summary>Successes among the samples the model classified correctly before the attack.</summary>
    public required double SuccessRateCorrect { get; init; }
    /// <summary>Successes among all samples.</summary>
    public required double SuccessRateAll { get; init; }
    /// <summary>Mean softmax probability of the adversarial prediction over initially-correct samples the attack broke (NaN if none).</summary>
    public required double MeanAdvConfidence { get; init; }
    public required double MaxLinf { get; init; }
    public required double MeanL2 { get; init; }
    public required double MeanL0 { get; init; }
    /// <summary>Wall-clock seconds (a minimisation attack runs once; every epsilon shows that run's time).</summary>
    public required double Seconds { get; init; }
    /// <summary>Input-gradient evaluations per sample (white-box attacks).</summary>
    public double? GradientEvals { get; init; }
    /// <summary>Model queries per sample (score-based attacks).</summary>
    public double? Queries { get; init; }
    /// <summary>
    /// How the attack ran: "early-stop" (each sample stops at its first adversarial iterate; robust accuracy and success
    /// rates as in the loss-maximising run, norms and confidence of the first adversarial point), "max-loss" (every
    /// sample runs every step; the example is the highest-loss successful point), or "minimisation".
    /// </summary>
    public string Mode { get; init; } = AttackModes.MaximizeLossName;
    /// <summary>"nested": samples adversarial at a smaller epsilon kept that example here; "independent": this epsilon ran on every sample.</summary>
    public string EpsilonGrid { get; init; } = "independent";
    /// <summary>Minimisation attacks: median norm of the smallest successful perturbation over initially-correct samples.</summary>
    public double? MedianMinimalNorm { get; init; }
    /// <summary>Ensembles (AutoAttack): each member's turn in order, on the samples still robust when it ran.</summary>
    public IReadOnlyList<EnsembleStageRecord>? Stages { get; init; }
}
