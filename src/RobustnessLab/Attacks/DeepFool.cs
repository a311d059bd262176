using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// DeepFool (Moosavi-Dezfooli, Fawzi, Frossard 2016, "DeepFool: a simple and accurate method to fool deep neural
/// networks", arXiv:1511.04599), multi-class, L2 or Linf (the paper's l_p variant): at each step linearise
/// f_k - f_label for the candidate classes, step to the nearest linearised boundary
/// (r = |f| / ||w||_q^q * |w|^(q-1) sign(w), q the dual norm), accumulate, and overshoot the total by
/// (1 + overshoot). A minimisation attack: untargeted only. Defaults: 50 steps, 10 candidate classes (the
/// top-scoring ones of the clean input), overshoot 0.02.
/// </summary>
public sealed class DeepFool : MinimizationAttack
{
    public DeepFool(Distance? distance = null)
    {
        Distance = distance ?? Distance.L2;
        if (Distance != Distance.L2 && Distance != Distance.Linf) throw new LabException("deepfool: norm must be l2 or linf");
    }

    public override string Name => Distance == Distance.L2 ? "deepfool" : "deepfool-linf";
    public override Distance Distance { get; }
    public override bool SupportsTargeted => false;

    public int Steps { get; init; } = 50;
    public int Candidates { get; init; } = 10;
    public double Overshoot { get; init; } = 0.02;

    public override void Validate()
    {
        Positive("steps", Steps);
        if (Candidates < 2) throw new LabException($"{Name}: candidates must be >= 2, got {Candidates}");
        if (Overshoot < 0) throw new LabException($"{Name}: overshoot must be >= 0, got {Overshoot}");
    }

    protected internal override Tensor Minimize(AttackModel model, Tensor x, AttackGoal goal, Generator? generator)
    {
        using var scope = NewDisposeScope();
        int k = Math.Min(Candidates, model.NumClasses);
        // Candidate classes other than the label, ranked by the clean logits.
        var clean = AttackLoss.Exclude(model.Logits(x), goal.Labels, float.NegativeInfinity);
        var candidates = clean.argsort(1, descending: true)[.., ..(k - 1)];
        var total = zeros_like(x);
        var adv = x.clone();
        for (int step = 0; step < Steps; step++)
        {
            using var iteration = NewDisposeScope();
            model.Cancel.ThrowIfCancellationRequested();
            var logits = model.Model.call(adv).detach(); // success check only; the gradient pass below is the real cost
            var active = goal.IsAdversarial(logits).logical_not().nonzero().flatten();
            if (active.numel() == 0) break;
            var xa = adv.index_select(0, active);
            var labels = goal.Labels.index_select(0, active);
            var cands = candidates.index_select(0, active);
            var (grads, _, values) = model.Gradients(xa, l =>
            {
                var zy = l.gather(1, labels.unsqueeze(1)).squeeze(1);
                return Enumerable.Range(0, k - 1).Select(j => l.gather(1, cands[.., j..(j + 1)]).squeeze(1) - zy).ToArray();
            });
            // Distance to each linearised boundary: |f_j| / ||w_j||_q (q = 2 for L2, q = 1 for Linf).
            var f = stack(values, 1).abs();                   // [A, k-1]
            var w = stack(grads, 1);                            // [A, k-1, C, H, W]
            var dual = Distance == Distance.L2 ? w.flatten(2).square().sum(2).sqrt() : w.flatten(2).abs().sum(2);
            var distance = f / (dual + 1e-8);
            var nearest = distance.argmin(1);                  // [A]
            var fn = f.gather(1, nearest.unsqueeze(1)).squeeze(1);
            var index = nearest.reshape(-1, 1, 1, 1, 1).expand(-1, 1, w.shape[2], w.shape[3], w.shape[4]);
            var wn = w.gather(1, index).squeeze(1);             // [A, C, H, W]
            var dn = dual.gather(1, nearest.unsqueeze(1)).squeeze(1);
            Tensor r;
            if (Distance == Distance.L2)
                r = wn * Distance.PerSample((fn + 1e-4) / (dn.square() + 1e-8), wn);
            else
                r = wn.sign() * Distance.PerSample((fn + 1e-4) / (dn + 1e-8), wn);
            total.index_add_(0, active, r, 1);
            adv.copy_((x + total * (1 + Overshoot)).clamp(0, 1));
        }
        return adv.MoveToOuterDisposeScope();
    }
}
