using TorchSharp;
using static TorchSharp.torch;

namespace MyModelRobustness;

/// <summary>
/// The researcher's own model: a plain TorchSharp module, nothing from RobustnessLab. Two 16/32-channel convolutions
/// and a linear head for 28x28 grey images; it expects normalised input (RobustnessLab adds the normalisation in front).
/// </summary>
public sealed class MyCnn : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> features;
    private readonly nn.Module<Tensor, Tensor> head;

    public MyCnn(int classes = 10) : base(nameof(MyCnn))
    {
        features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding: 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten());
        head = nn.Linear(32 * 7 * 7, classes);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        return head.call(features.call(x)).MoveToOuterDisposeScope();
    }
}
