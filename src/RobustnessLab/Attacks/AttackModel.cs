using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Attacks;

/// <summary>
/// The model as an attack sees it: logits without gradients (counted as queries) and input gradients of a
/// per-sample loss (counted as gradient evaluations). Input gradients come from <c>torch.autograd.grad</c> on a
/// detached copy of the input, so nothing accumulates in parameters' <c>.grad</c> or in the caller's tensors
/// (the way torchattacks takes input gradients). Each per-sample loss is summed, not averaged, so a sample's gradient does not
/// depend on the batch it sits in.
/// </summary>
public sealed class AttackModel
{
    public AttackModel(Classifier model, CancellationToken cancel = default)
    {
        Model = model;
        Cancel = cancel;
    }

    public Classifier Model { get; }

    public int NumClasses => Model.NumClasses;

    /// <summary>Checked by iterative attacks once per step.</summary>
    public CancellationToken Cancel { get; }

    /// <summary>Forward passes, counted per sample.</summary>
    public long Queries { get; private set; }

    /// <summary>Input-gradient evaluations (one forward and one backward pass), counted per sample.</summary>
    public long GradientEvaluations { get; private set; }

    /// <summary>Logits under no_grad. Call inside a dispose scope.</summary>
    public Tensor Logits(Tensor x)
    {
        using var _ = no_grad();
        Queries += x.shape[0];
        return Model.call(x);
    }

    /// <summary>
    /// Gradient of sum_i loss_i(logits(x)_i) with respect to x, and the logits at x (detached). Call inside a
    /// dispose scope.
    /// </summary>
    /// <param name="x">Inputs [N, C, H, W]; not modified.</param>
    /// <param name="loss">Per-sample loss [N] from the logits [N, K] (use logits, never softmax outputs).</param>
    public (Tensor Gradient, Tensor Logits) Gradient(Tensor x, Func<Tensor, Tensor> loss)
    {
        var (grads, logits, _) = Gradients(x, logits => [loss(logits)]);
        return (grads[0], logits);
    }

    /// <summary>
    /// Gradients of several per-sample objectives with respect to the same input (DeepFool needs one per candidate
    /// class), and the objectives' values, detached. Each objective gets its own forward pass: reusing one graph
    /// with retain_graph returned corrupted (NaN) gradients for some objectives under TorchSharp 0.107.
    /// </summary>
    public (Tensor[] Gradients, Tensor Logits, Tensor[] Values) Gradients(Tensor x, Func<Tensor, Tensor[]> objectives)
    {
        using var enable = enable_grad();
        Tensor[]? grads = null, values = null;
        Tensor logits = null!;
        for (int i = 0; grads is null || i < grads.Length; i++)
        {
            using var scope = NewDisposeScope();
            var input = x.detach().requires_grad_(true);
            var output = Model.call(input);
            var all = objectives(output);
            if (grads is null)
            {
                grads = new Tensor[all.Length];
                values = all.Select(v => v.detach().clone().MoveToOuterDisposeScope()).ToArray();
                logits = output.detach().clone().MoveToOuterDisposeScope();
                if (all.Length == 0) break;
            }
            var g = torch.autograd.grad([all[i].sum()], [input], allow_unused: true)[0];
            // A loss that does not reach the input (a constant model) has no gradient: that is a zero gradient.
            grads[i] = (g is null || g.IsInvalid ? zeros_like(input) : g.detach().clone()).MoveToOuterDisposeScope();
        }
        GradientEvaluations += x.shape[0] * grads!.Length;
        return (grads, logits, values!);
    }

    /// <summary>
    /// Gradient with respect to a variable that maps to the input (e.g. Carlini-Wagner's tanh space):
    /// d/dv sum_i loss_i(input(v)_i, logits(input(v))_i). Returns the gradient, the logits and the per-sample loss,
    /// detached. Call inside a dispose scope.
    /// </summary>
    public (Tensor Gradient, Tensor Logits, Tensor Loss) Gradient(Tensor variable, Func<Tensor, Tensor> toInput, Func<Tensor, Tensor, Tensor> loss)
    {
        using var enable = enable_grad();
        var v = variable.detach().requires_grad_(true);
        var input = toInput(v);
        var logits = Model.call(input);
        var value = loss(input, logits);
        var g = torch.autograd.grad([value.sum()], [v])[0].detach().clone();
        GradientEvaluations += variable.shape[0];
        return (g, logits.detach(), value.detach());
    }

    /// <summary>Adds query counts made elsewhere (e.g. a sub-attack run on a subset).</summary>
    public void AddCounts(long queries, long gradientEvaluations)
    {
        Queries += queries;
        GradientEvaluations += gradientEvaluations;
    }
}
