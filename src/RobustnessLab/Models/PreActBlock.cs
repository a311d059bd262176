using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// Pre-activation residual block (He, Zhang, Ren, Sun 2016, "Identity Mappings in Deep Residual Networks",
/// arXiv:1603.05027): BN-ReLU-conv-BN-ReLU-conv, plus the input (through a 1x1 conv when the shape changes).
/// </summary>
public sealed class PreActBlock : nn.Module<Tensor, Tensor>
{
    private readonly BatchNorm2d bn1;
    private readonly Conv2d conv1;
    private readonly BatchNorm2d bn2;
    private readonly Conv2d conv2;
    private readonly Conv2d? shortcut;

    public PreActBlock(int inChannels, int outChannels, int stride) : base(nameof(PreActBlock))
    {
        bn1 = nn.BatchNorm2d(inChannels);
        conv1 = nn.Conv2d(inChannels, outChannels, 3, stride: stride, padding: 1, bias: false);
        bn2 = nn.BatchNorm2d(outChannels);
        conv2 = nn.Conv2d(outChannels, outChannels, 3, stride: 1, padding: 1, bias: false);
        if (stride != 1 || inChannels != outChannels)
            shortcut = nn.Conv2d(inChannels, outChannels, 1, stride: stride, bias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var o = nn.functional.relu(bn1.call(x));
        var sc = shortcut is null ? x : shortcut.call(o);
        var h = conv1.call(o);
        h = conv2.call(nn.functional.relu(bn2.call(h)));
        return h.add_(sc).MoveToOuterDisposeScope();
    }
}
