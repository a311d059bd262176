using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// What one attack run on one batch returns (Foolbox 3's shape): for each epsilon the clipped adversarial
/// examples and the success matrix [epsilons x samples], plus the cost. Owns its tensors; dispose it. The
/// evaluation layer turns it into plain records.
/// </summary>
public sealed class AttackResult : IDisposable
{
    public AttackResult(string attack, Distance distance, double[] epsilons, Tensor[] adversarials, bool[][] success, long[] targets,
        double[] seconds, long[] gradientEvaluations, long[] queries, double[]? minimalNorms = null, Tensor[]? logits = null)
    {
        Attack = attack;
        Distance = distance;
        Epsilons = epsilons;
        Adversarials = adversarials.Select(a => a.DetachFromDisposeScope()).ToArray();
        Success = success;
        Targets = targets;
        Seconds = seconds;
        GradientEvaluations = gradientEvaluations;
        Queries = queries;
        MinimalNorms = minimalNorms;
        Logits = logits?.Select(l => l.DetachFromDisposeScope()).ToArray();
    }

    public string Attack { get; }
    public Distance Distance { get; }
    public double[] Epsilons { get; }

    /// <summary>Adversarial inputs per epsilon, within the budget and the valid range (unless clipping was switched off).</summary>
    public Tensor[] Adversarials { get; }

    /// <summary>Success[e][i]: the criterion holds for sample i at epsilon e.</summary>
    public bool[][] Success { get; }

    /// <summary>The class each sample's loss was computed against (the label when untargeted).</summary>
    public long[] Targets { get; }

    /// <summary>Wall-clock seconds per epsilon (a minimisation attack runs once: every entry is that run's time).</summary>
    public double[] Seconds { get; }

    /// <summary>Input-gradient evaluations per epsilon, summed over samples.</summary>
    public long[] GradientEvaluations { get; }

    /// <summary>Forward passes per epsilon, summed over samples (the cost of score-based attacks).</summary>
    public long[] Queries { get; }

    /// <summary>Minimisation attacks: per-sample norm of the smallest successful perturbation found (+inf when none).</summary>
    public double[]? MinimalNorms { get; }

    /// <summary>Logits of <see cref="Adversarials"/> per epsilon, as the attack computed them (null when it did not keep them).</summary>
    public Tensor[]? Logits { get; }

    /// <summary>The mode that ran (see <see cref="Attack.ModeRun"/>).</summary>
    public AttackMode Mode { get; init; }

    /// <summary>Whether larger epsilons reused the examples found at smaller ones.</summary>
    public bool NestedEpsilons { get; init; }

    /// <summary>Ensembles: per epsilon, each member's turn in the order they ran (null for single attacks).</summary>
    public IReadOnlyList<EnsembleStage>[]? Stages { get; init; }

    public int Count => Targets.Length;

    /// <summary>Success rate over all samples at epsilon index e.</summary>
    public double SuccessRate(int e) => Count == 0 ? double.NaN : Success[e].Count(s => s) / (double)Count;

    public void Dispose()
    {
        foreach (var a in Adversarials) a.Dispose();
        foreach (var l in Logits ?? []) l.Dispose();
    }
}
