using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

/// <summary>
/// A researcher's own module, defined only here (not in the model zoo): a convolution stem, one residual block
/// (x + conv(relu(conv(x)))), 2x2 max pooling and a linear head returning logits.
/// </summary>
public sealed class TinyResidualNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> stem;
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> conv2;
    private readonly nn.Module<Tensor, Tensor> head;

    public TinyResidualNet(int channels, int size, int classes, int width = 16) : base(nameof(TinyResidualNet))
    {
        stem = nn.Conv2d(channels, width, 3, padding: 1);
        conv1 = nn.Conv2d(width, width, 3, padding: 1);
        conv2 = nn.Conv2d(width, width, 3, padding: 1);
        head = nn.Linear(width * (size / 2) * (size / 2), classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(stem.call(x));
        h = nn.functional.relu(h + conv2.call(nn.functional.relu(conv1.call(h))));
        var pooled = nn.functional.max_pool2d(h, 2).flatten(1);
        return head.call(pooled).MoveToOuterDisposeScope();
    }
}
