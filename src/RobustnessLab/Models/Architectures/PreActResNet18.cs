using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models.Architectures;

/// <summary>
/// Pre-activation ResNet-18 (He et al. 2016, arXiv:1603.05027) as defined for CIFAR-10 by Wong, Rice and Kolter 2020
/// ("Fast is better than free", arXiv:2001.03994) and used by RobustBench: 3x3 stem without pooling, four stages of
/// two pre-activation blocks (64, 128, 256, 512 channels), BatchNorm + ReLU, average pooling, linear head. State-dict
/// names as in those repositories: conv1, layer1.0.bn1, layer1.0.conv1, layer2.0.shortcut.0, bn, linear. Their
/// 4x4 average pool equals global average pooling at 32 px, which is used here so other sizes also run.
/// </summary>
public sealed class PreActResNet18 : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> layer1;
    private readonly nn.Module<Tensor, Tensor> layer2;
    private readonly nn.Module<Tensor, Tensor> layer3;
    private readonly nn.Module<Tensor, Tensor> layer4;
    private readonly nn.Module<Tensor, Tensor> bn;
    private readonly nn.Module<Tensor, Tensor> linear;

    public PreActResNet18(int inChannels, int numClasses) : base("PreActResNet")
    {
        conv1 = nn.Conv2d(inChannels, 64, 3, padding: 1, bias: false);
        int inPlanes = 64;
        nn.Module<Tensor, Tensor> Layer(int planes, int stride)
        {
            var first = new Block(inPlanes, planes, stride);
            var second = new Block(planes, planes, 1);
            inPlanes = planes;
            return nn.Sequential(first, second);
        }
        layer1 = Layer(64, 1);
        layer2 = Layer(128, 2);
        layer3 = Layer(256, 2);
        layer4 = Layer(512, 2);
        bn = nn.BatchNorm2d(512);
        linear = nn.Linear(512, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = layer4.call(layer3.call(layer2.call(layer1.call(conv1.call(x)))));
        h = nn.functional.relu(bn.call(h));
        h = nn.functional.adaptive_avg_pool2d(h, [1, 1]).flatten(1);
        return linear.call(h).MoveToOuterDisposeScope();
    }

    private sealed class Block : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> bn1, conv1, bn2, conv2;
        private readonly nn.Module<Tensor, Tensor>? shortcut;

        public Block(int inPlanes, int planes, int stride) : base("PreActBlock")
        {
            bn1 = nn.BatchNorm2d(inPlanes);
            conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(planes);
            conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
            shortcut = stride != 1 || inPlanes != planes ? nn.Sequential(nn.Conv2d(inPlanes, planes, 1, stride: stride, bias: false)) : null;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var pre = nn.functional.relu(bn1.call(x));
            var skip = shortcut is null ? x : shortcut.call(pre);
            var h = conv1.call(pre);
            h = conv2.call(nn.functional.relu(bn2.call(h)));
            return (h + skip).MoveToOuterDisposeScope();
        }
    }
}
