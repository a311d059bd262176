using NUnit.Framework;
using RobustnessLab.Attacks;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;

namespace RobustnessLab.NUnit;

/// <summary>
/// Regression assertions on attack strength and model robustness for a researcher's own NUnit project:
/// <code>
/// RobustnessAssert.SuccessRateAtLeast(model, testSet, "pgd", eps: 0.1, min: 0.95);
/// RobustnessAssert.RobustAccuracyAtLeast(robustModel, testSet, "ensemble", eps: 0.1, min: 0.70);
/// </code>
/// Each call runs <see cref="RobustnessEvaluation"/> on the first <c>samples</c> rows with a fixed seed and fails
/// with the measured value, the attack, epsilon and sample count in the message. Success rates are over the samples
/// the model classified correctly before the attack.
/// </summary>
public static class RobustnessAssert
{
    /// <summary>Fails unless the attack succeeds on at least <paramref name="min"/> of the initially-correct samples.</summary>
    public static AttackRecord SuccessRateAtLeast(Classifier model, Dataset data, AttackSpec attack, double eps, double min, int samples = 500,
        Criterion? criterion = null, int seed = 0)
    {
        var record = Measure(model, data, attack, eps, samples, criterion, seed);
        Assert.That(record.SuccessRateCorrect, Is.GreaterThanOrEqualTo(min),
            $"{attack} at {record.Norm} eps {eps} succeeded on {record.SuccessRateCorrect:P1} of initially-correct samples (n = {samples}), expected >= {min:P1}");
        return record;
    }

    /// <summary>Fails unless robust accuracy under the attack is at least <paramref name="min"/> (a defended model stays defended).</summary>
    public static AttackRecord RobustAccuracyAtLeast(Classifier model, Dataset data, AttackSpec attack, double eps, double min, int samples = 500,
        Criterion? criterion = null, int seed = 0)
    {
        var record = Measure(model, data, attack, eps, samples, criterion, seed);
        Assert.That(record.RobustAccuracy, Is.GreaterThanOrEqualTo(min),
            $"robust accuracy under {attack} at {record.Norm} eps {eps} is {record.RobustAccuracy:F4} (n = {samples}), expected >= {min:F4}");
        return record;
    }

    /// <summary>Fails unless robust accuracy under the attack is at most <paramref name="max"/> (the attack still breaks an undefended model).</summary>
    public static AttackRecord RobustAccuracyAtMost(Classifier model, Dataset data, AttackSpec attack, double eps, double max, int samples = 500,
        Criterion? criterion = null, int seed = 0)
    {
        var record = Measure(model, data, attack, eps, samples, criterion, seed);
        Assert.That(record.RobustAccuracy, Is.LessThanOrEqualTo(max),
            $"robust accuracy under {attack} at {record.Norm} eps {eps} is {record.RobustAccuracy:F4} (n = {samples}), expected <= {max:F4}");
        return record;
    }

    /// <summary>
    /// Runs one attack at one epsilon and returns its record (no assertion). The mode is <see cref="RobustnessOptions"/>'
    /// unless given (early stopping: the success rate and robust accuracy of the loss-maximising run at a fraction of the steps).
    /// </summary>
    public static AttackRecord Measure(Classifier model, Dataset data, AttackSpec attack, double eps, int samples = 500, Criterion? criterion = null, int seed = 0,
        AttackMode? mode = null)
    {
        bool l2 = AttackRegistry.Get(attack.Name).Norm == "l2";
        var d = new RobustnessOptions();
        var options = d with
        {
            Attacks = [attack],
            Epsilons = l2 ? [] : [eps],
            L2Epsilons = l2 ? [eps] : [],
            Samples = samples,
            Seed = seed,
            Target = criterion is TargetedMisclassification t ? t.Rule : null,
            TargetClass = criterion is TargetedMisclassification t2 ? t2.TargetClass : null,
            Mode = mode ?? d.Mode,
        };
        return RobustnessEvaluation.Run(model, data, options).Attacks.Single();
    }
}
