using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// The per-sample worst case of an iterative attack: a successful iterate beats an unsuccessful one, then the higher
/// loss wins, so more steps or restarts never lower the success rate. Keeps the logits of each kept example, so
/// nobody has to run the model on the returned examples again. Tensors live in the caller's dispose scope.
/// </summary>
internal sealed class WorstCase
{
    public WorstCase(Tensor x, int classes)
    {
        long n = x.shape[0];
        Example = x.clone();
        Logits = zeros(new[] { n, classes }, dtype: x.dtype, device: x.device);
        Success = zeros(new[] { n }, dtype: ScalarType.Bool, device: x.device);
        Loss = full(new[] { n }, float.NegativeInfinity, device: x.device);
    }

    public Tensor Example { get; }
    public Tensor Logits { get; }
    public Tensor Success { get; }
    public Tensor Loss { get; }

    /// <summary>
    /// The rows the next step evaluates: every row when maximising the loss; with early stopping, those neither
    /// adversarial yet nor done before the attack.
    /// </summary>
    public Tensor Running(AttackGoal goal)
    {
        if (!goal.EarlyStop) return arange(Success.shape[0], dtype: ScalarType.Int64, device: Success.device);
        var finished = goal.Done is { } d ? Success.logical_or(d) : Success;
        return finished.logical_not().nonzero().flatten();
    }

    /// <summary>Updates the worst case of <paramref name="rows"/> with iterates <paramref name="adv"/> (one per row) in place.</summary>
    public void Keep(Tensor rows, Tensor adv, Tensor logits, Tensor success, Tensor loss)
    {
        using var scope = NewDisposeScope();
        var bestSuccess = Success.index_select(0, rows);
        var bestLoss = Loss.index_select(0, rows);
        var better = success.logical_and(bestSuccess.logical_not())
            .logical_or(success.eq(bestSuccess).logical_and(loss.gt(bestLoss)));
        Example.index_copy_(0, rows, where(Distance.PerSample(better, adv), adv, Example.index_select(0, rows)));
        Logits.index_copy_(0, rows, where(better.unsqueeze(1), logits, Logits.index_select(0, rows)));
        Success.index_copy_(0, rows, bestSuccess.logical_or(success));
        Loss.index_copy_(0, rows, where(better, loss, bestLoss));
    }
}
