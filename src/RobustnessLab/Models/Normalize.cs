using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>(x - mean) / std per channel, as the model's first layer. Buffers, not parameters.</summary>
public sealed class Normalize : nn.Module<Tensor, Tensor>
{
    public Normalize(float[] mean, float[] std) : base(nameof(Normalize))
    {
        if (mean.Length != std.Length) throw new ArgumentException("mean and std need one value per channel");
        if (std.Any(s => !(s > 0))) throw new ArgumentException("std must be positive");
        register_buffer("mean", tensor(mean).reshape(1, mean.Length, 1, 1));
        register_buffer("std", tensor(std).reshape(1, std.Length, 1, 1));
    }

    public override Tensor forward(Tensor x)
    {
        var mean = get_buffer("mean")!;
        var std = get_buffer("std")!;
        return (x - mean).div_(std);
    }
}
