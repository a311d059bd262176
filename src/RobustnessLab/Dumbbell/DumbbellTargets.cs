namespace RobustnessLab.Dumbbell;

/// <summary>
/// The experiment's success criteria: the biased model learnt the arm (an arm alone says "dumbbell", its dumbbell
/// visualisations hold an arm), the debiased one did not, and both the models and the arm detector are accurate enough
/// for the comparison to mean something.
/// </summary>
public static class DumbbellTargets
{
    /// <summary>Each target with the measured value, its bound and whether it was met.</summary>
    public static IReadOnlyList<DumbbellTarget> Evaluate(DumbbellModelReport biased, DumbbellModelReport debiased, double detectorAccuracy, double chance) =>
    [
        new("biased clean accuracy", biased.CleanAccuracy, ">= 0.95", biased.CleanAccuracy >= 0.95),
        new("arm detector accuracy (held-out renders)", detectorAccuracy, ">= 0.95", detectorAccuracy >= 0.95),
        new("biased P(dumbbell | arm alone)", biased.PDumbbellArmOnly, ">= 0.5", biased.PDumbbellArmOnly >= 0.5),
        new("debiased P(dumbbell | arm alone)", debiased.PDumbbellArmOnly, $"<= chance {chance:F3}", debiased.PDumbbellArmOnly <= chance),
        new("biased - debiased P(dumbbell | arm alone)", biased.PDumbbellArmOnly - debiased.PDumbbellArmOnly, ">= 0.35", biased.PDumbbellArmOnly - debiased.PDumbbellArmOnly >= 0.35),
        new("biased dumbbell visualisation detector arm score (mean)", biased.ArmScoreDetector.Mean, ">= 0.8", biased.ArmScoreDetector.Mean >= 0.8),
        new("debiased dumbbell visualisation detector arm score (mean)", debiased.ArmScoreDetector.Mean, "<= 0.3", debiased.ArmScoreDetector.Mean <= 0.3),
    ];
}
