using static TorchSharp.torch;

namespace RobustnessLab.Core;

/// <summary>
/// Adam (Kingma and Ba 2014, arXiv:1412.6980) over a fixed list of tensors, stepped with gradients the caller got
/// from autograd.grad, so no .grad field (of the image or of any model parameter) is ever written. The one optimiser of
/// inputs: feature visualisation's images and Carlini-Wagner's tanh-space perturbation.
/// </summary>
internal sealed class InputAdam : IDisposable
{
    private readonly IReadOnlyList<Tensor> parameters;
    private readonly Tensor[] m, v;
    private readonly double lr, beta1, beta2, eps;
    private int t;

    public InputAdam(IReadOnlyList<Tensor> parameters, double lr, double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        this.parameters = parameters;
        this.lr = lr;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        m = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
        v = parameters.Select(p => zeros_like(p).DetachFromDisposeScope()).ToArray();
    }

    public void Step(IList<Tensor> grads)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        t++;
        double c1 = 1 - Math.Pow(beta1, t), c2 = 1 - Math.Pow(beta2, t);
        for (int i = 0; i < parameters.Count; i++)
        {
            var g = grads[i];
            m[i].mul_(beta1).add_(g, alpha: 1 - beta1);
            v[i].mul_(beta2).addcmul_(g, g, value: 1 - beta2);
            var denom = (v[i] / c2).sqrt_().add_(eps);
            parameters[i].addcdiv_(m[i], denom, value: -lr / c1);
        }
    }

    public void Dispose()
    {
        foreach (var x in m) x.Dispose();
        foreach (var x in v) x.Dispose();
    }
}
