using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// Confidence on the log-odds scale: for logits z, the log-odds of class c is log(p_c / (1 - p_c)) =
/// z_c - logsumexp_{j != c} z_j. It ranks images exactly as the softmax probability does but, unlike a float32
/// probability or log-softmax, does not saturate at 1 (or 0) once p_c exceeds 1 - 1e-7: the search keeps telling a
/// 0.9999999 image from a 0.99999999 one, and 1 - p is recovered without cancellation.
/// </summary>
public static class ClassLogOdds
{
    /// <summary>[N, K] log-odds of every class for [N, K] logits (same graph: differentiable).</summary>
    public static Tensor FromLogits(Tensor logits)
    {
        using var scope = NewDisposeScope();
        long k = logits.shape[1];
        // Others' logsumexp for every class at once: an [N, K, K] copy with -inf on the diagonal. K is small (10).
        using var eye = torch.eye(k, dtype: logits.dtype, device: logits.device).to(ScalarType.Bool);
        var others = logits.unsqueeze(1).expand(logits.shape[0], k, k).masked_fill(eye.unsqueeze(0), double.NegativeInfinity);
        return (logits - others.logsumexp(2)).MoveToOuterDisposeScope();
    }

    /// <summary>The probability for a log-odds value: 1 / (1 + exp(-l)).</summary>
    public static double ToConfidence(double logOdds) => logOdds >= 0 ? 1.0 / (1.0 + Math.Exp(-logOdds)) : Math.Exp(logOdds) / (1.0 + Math.Exp(logOdds));

    /// <summary>The log-odds for a probability in (0, 1).</summary>
    public static double FromConfidence(double p) => Math.Log(p) - Math.Log(1 - p);
}
