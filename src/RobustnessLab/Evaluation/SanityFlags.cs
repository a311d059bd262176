namespace RobustnessLab.Evaluation;

/// <summary>
/// Checks that a robustness evaluation looks like a real one (Carlini et al. 2019, "On Evaluating Adversarial
/// Robustness", arXiv:1902.06705; Croce and Hein 2020's gradient-masking checks). Each fired check is one short
/// line; an empty list means none fired, not that the model is robust.
/// </summary>
public static class SanityFlags
{
    /// <summary>How close to chance (1 / classes), in accuracy points, counts as "at chance".</summary>
    public const double ChanceMargin = 0.05;

    /// <summary>
    /// A line saying an accuracy is within <see cref="ChanceMargin"/> of chance, or null. Attacks, fooling images and
    /// visualisations of such a model measure nothing, so every place that shows its numbers shows this first.
    /// </summary>
    public static string? ChanceLevel(double accuracy, int numClasses, string what = "clean accuracy")
    {
        if (numClasses < 2 || double.IsNaN(accuracy)) return null;
        double chance = 1.0 / numClasses;
        return accuracy <= chance + ChanceMargin
            ? $"{what} {accuracy.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} is at chance level (1/{numClasses} = {chance.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}): the model has learnt nothing, so its robustness, fooling and visualisation results mean nothing"
            : null;
    }

    /// <summary>Attack strength order for "a weaker attack beat a stronger one" (same norm and epsilon).</summary>
    private static readonly Dictionary<string, int> Strength = new(StringComparer.OrdinalIgnoreCase)
    {
        ["fgsm"] = 1, ["bim"] = 2, ["mi-fgsm"] = 2, ["pgd"] = 3, ["pgd-l2"] = 3, ["apgd-ce"] = 4, ["apgd-t"] = 4, ["ensemble"] = 5, ["autoattack"] = 6,
    };

    /// <summary>Score-based members: they need no gradient, so what they find and gradients missed points at masking.</summary>
    private static readonly HashSet<string> BlackBox = new(StringComparer.OrdinalIgnoreCase) { "square" };

    private static readonly HashSet<string> MultiStep = new(StringComparer.OrdinalIgnoreCase) { "bim", "mi-fgsm", "pgd", "apgd-ce", "apgd-t", "ensemble", "autoattack" };

    /// <param name="clean">Clean accuracy.</param>
    /// <param name="records">Every attack x epsilon record.</param>
    /// <param name="worstCase">Worst case per norm and epsilon.</param>
    /// <param name="zeroGradientFraction">Fraction of samples with an all-zero input gradient.</param>
    /// <param name="samples">Sample count (sets the smallest meaningful difference).</param>
    /// <param name="numClasses">Class count (chance = 1 / classes).</param>
    /// <param name="majorityRate">Frequency of the most common class among the samples.</param>
    /// <param name="trainedAt">
    /// The radius the model was adversarially trained at, if known. Beyond it, a single step leaving far more than
    /// multi-step attacks is what any adversarially trained model shows (its loss is locally linear only inside the
    /// training ball), so the catastrophic-overfitting check (Wong et al. 2020: FGSM training that stops resisting
    /// PGD at its own eps) runs only at or below it.
    /// </param>
    public static List<string> Compute(double clean, IReadOnlyList<AttackRecord> records, IReadOnlyList<WorstCaseRecord> worstCase,
        double zeroGradientFraction, int samples, int numClasses, double majorityRate, Training.TrainingRadius? trainedAt = null)
    {
        var flags = new List<string>();
        if (ChanceLevel(clean, numClasses) is { } atChance) flags.Add(atChance);
        double one = 1.0 / Math.Max(1, samples);
        // Differences between attacks on the same samples of less than a point are within what seeds move.
        double tol = Math.Max(0.01, 2 * one);

        foreach (var group in records.GroupBy(r => (r.Attack, r.Norm)))
        {
            var ordered = group.OrderBy(r => r.Eps).ToList();
            for (int i = 1; i < ordered.Count; i++)
                if (ordered[i].RobustAccuracy > ordered[i - 1].RobustAccuracy + one / 2)
                    flags.Add($"robust accuracy rises with eps: {group.Key.Attack} {ordered[i - 1].RobustAccuracy:F3} at eps {ordered[i - 1].Eps:G4} -> {ordered[i].RobustAccuracy:F3} at {ordered[i].Eps:G4}");
        }

        foreach (var atEps in records.Where(r => r.Eps > 0).GroupBy(r => (r.Norm, r.Eps)))
        {
            var list = atEps.ToList();
            foreach (var weak in list)
                foreach (var strong in list)
                    if (Strength.TryGetValue(weak.Attack, out var sw) && Strength.TryGetValue(strong.Attack, out var ss) && sw < ss &&
                        weak.RobustAccuracy < strong.RobustAccuracy - tol)
                        flags.Add($"weaker attack beats stronger at {atEps.Key.Norm} eps {atEps.Key.Eps:G4}: {weak.Attack} {weak.RobustAccuracy:F3} < {strong.Attack} {strong.RobustAccuracy:F3} (stronger attack under-tuned or gradients masked)");
            var square = list.FirstOrDefault(r => r.Attack == "square");
            var whiteBox = list.Where(r => r.Attack != "square" && r.Attack != "ensemble" && r.Attack != "autoattack").ToList();
            if (square is not null && whiteBox.Count > 0 && square.RobustAccuracy < whiteBox.Min(r => r.RobustAccuracy) - tol)
                flags.Add($"black-box square beats every white-box attack at eps {atEps.Key.Eps:G4} ({square.RobustAccuracy:F3} < {whiteBox.Min(r => r.RobustAccuracy):F3}): gradient masking likely");
            var fgsm = list.FirstOrDefault(r => r.Attack == "fgsm");
            if (fgsm is not null)
            {
                if ((fgsm.AccuracyUnderAttack ?? fgsm.RobustAccuracy) > clean + one / 2)
                    flags.Add($"accuracy under fgsm above clean at eps {atEps.Key.Eps:G4} ({fgsm.AccuracyUnderAttack ?? fgsm.RobustAccuracy:F3} > {clean:F3}): label leaking or catastrophic overfitting");
                var multi = list.Where(r => MultiStep.Contains(r.Attack)).ToList();
                bool beyondTraining = trainedAt is not null && trainedAt.Norm == atEps.Key.Norm && atEps.Key.Eps > trainedAt.Eps * (1 + 1e-9);
                if (multi.Count > 0 && !beyondTraining)
                {
                    var strongest = multi.MinBy(r => r.RobustAccuracy)!;
                    if (fgsm.RobustAccuracy - strongest.RobustAccuracy > 0.3)
                        flags.Add($"catastrophic overfitting at eps {atEps.Key.Eps:G4}: fgsm leaves {fgsm.RobustAccuracy:F3} but {strongest.Attack} {strongest.RobustAccuracy:F3} (Wong 2020)");
                }
            }
        }

        // Inside an ensemble (AutoAttack) a black-box member runs only on the points every white-box member before it
        // left robust, so each point it breaks is one the gradients could not find (the check of Croce and Hein 2020
        // applied to the members' turns; separate rows cannot show it because their points overlap).
        foreach (var r in records.Where(r => r.Eps > 0 && r.Stages is { Count: > 1 }))
        {
            var whiteBoxBefore = new List<string>();
            foreach (var stage in r.Stages!)
            {
                if (!BlackBox.Contains(stage.Attack)) { whiteBoxBefore.Add(stage.Attack); continue; }
                if (whiteBoxBefore.Count > 0 && stage.Broken * one > tol)
                    flags.Add($"inside {r.Attack} at {r.Norm} eps {r.Eps:G4}: black-box {stage.Attack} broke {stage.Broken} of the {stage.Attacked} points {string.Join(", ", whiteBoxBefore)} left robust " +
                              $"({(stage.Broken * one).ToString("0.0%", System.Globalization.CultureInfo.InvariantCulture)} of samples): gradient masking likely");
                break;
            }
        }

        if (zeroGradientFraction > 0.01)
            flags.Add($"zero input gradient for {zeroGradientFraction:P1} of samples: gradient-based attacks cannot move them (masked gradients?)");

        foreach (var norm in worstCase.GroupBy(w => w.Norm))
        {
            var largest = norm.MaxBy(w => w.Eps)!;
            if (largest.Eps <= 0) continue;
            double chance = 1.0 / numClasses;
            // In Linf at eps >= 0.5 the mid-grey image lies in every sample's ball, so no classifier can beat the
            // majority-class rate: anything above it means the attacks failed.
            if (norm.Key == "linf" && largest.Eps >= 0.5 && largest.RobustAccuracy > majorityRate + tol)
                flags.Add($"impossible robust accuracy {largest.RobustAccuracy:F3} at linf eps {largest.Eps:G4} (the mid-grey image is in every ball; at most {majorityRate:F3} is possible): the attacks are broken");
            else if (largest.RobustAccuracy > chance + tol)
                flags.Add($"above chance at the largest {norm.Key} eps {largest.Eps:G4}: robust accuracy {largest.RobustAccuracy:F3} > {chance:F3} (expected only for small eps or robust models)");
        }
        return flags;
    }
}
