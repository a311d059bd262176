using RobustnessLab.Data.Gym;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// The experiment's success criteria: both models accurate on their own scenes; an arm added to the same scene raises
/// the biased model's P(dumbbell) and leaves the debiased one's alone (paired causal probe); an arm alone means
/// "dumbbell" far more to the biased model; and, with a judge, the judge is valid on renders, sees an arm in the biased
/// model's dumbbell pictures and none in the debiased one's, and reads almost every class in both models' pictures.
/// </summary>
public static class DumbbellTargets
{
    /// <summary>
    /// The targets: accuracies; the paired arm effect and the arm-alone gap; with a judge, its validity on renders,
    /// its arm score on both models' dumbbell pictures and how many classes it can read. A scale without a judge shows
    /// fewer targets, never looser ones.
    /// </summary>
    public static IReadOnlyList<DumbbellTarget> Evaluate(DumbbellModelReport b, DumbbellModelReport u, DumbbellJudge.Result? judge)
    {
        int k = GymScenes.ClassNames.Count;
        int legibleBound = k - 1;
        double gap = b.PDumbbellArmOnly - u.PDumbbellArmOnly;
        var t = new List<DumbbellTarget>
        {
            new("biased clean accuracy", b.CleanAccuracy, ">= 0.95", b.CleanAccuracy >= 0.95),
            new("debiased clean accuracy", u.CleanAccuracy, ">= 0.90", u.CleanAccuracy >= 0.90),
            new("biased arm effect (paired scenes, other classes)", b.ArmEffect.Mean, ">= 0.3", b.ArmEffect.Mean >= 0.3),
            new("debiased |arm effect| (paired scenes, other classes)", Math.Abs(u.ArmEffect.Mean), "<= 0.05", Math.Abs(u.ArmEffect.Mean) <= 0.05),
            new("biased - debiased P(dumbbell | arm alone)", gap, ">= 0.35", gap >= 0.35),
        };
        if (judge is not null && b.JudgeArmScore is { } jb && u.JudgeArmScore is { } ju && b.JudgeLegibleClasses is { } lb && u.JudgeLegibleClasses is { } lu)
        {
            t.Add(new("judge object accuracy (held-out renders)", judge.ObjectAccuracy, ">= 0.9", judge.ObjectAccuracy >= 0.9));
            t.Add(new("judge arm accuracy (held-out renders)", judge.ArmAccuracy, ">= 0.9", judge.ArmAccuracy >= 0.9));
            t.Add(new($"biased dumbbell visualisations, judge P(arm) (mean of {jb.Values.Count})", jb.Mean, ">= 0.9", jb.Mean >= 0.9));
            t.Add(new($"debiased dumbbell visualisations, judge P(arm) (mean of {ju.Values.Count})", ju.Mean, "<= 0.1", ju.Mean <= 0.1));
            t.Add(new("biased classes legible to the judge", lb, $">= {legibleBound} of {k}", lb >= legibleBound));
            t.Add(new("debiased classes legible to the judge", lu, $">= {legibleBound} of {k}", lu >= legibleBound));
        }
        return t;
    }

}
