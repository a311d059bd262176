using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models.Architectures;

/// <summary>
/// Wide ResNet (Zagoruyko and Komodakis 2016, arXiv:1605.07146) as RobustBench defines it for CIFAR-10
/// (WideResNet-28-10, WideResNet-34-10, ...): depth = 6n + 4, widths 16, 16k, 32k, 64k for widen factor k. State-dict
/// names as RobustBench's: conv1, block1.layer.0.bn1, block1.layer.0.conv1, block1.layer.0.convShortcut, bn1, fc.
/// As there, a block whose width changes applies BatchNorm + ReLU to its input before both the convolution and the
/// 1x1 shortcut; a block of equal width adds its raw input. RobustBench's 8x8 average pool equals global average
/// pooling at 32 px, which is used here so other sizes also run.
/// </summary>
public sealed class WideResNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> block1;
    private readonly nn.Module<Tensor, Tensor> block2;
    private readonly nn.Module<Tensor, Tensor> block3;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> fc;

    public WideResNet(int depth, int widenFactor, double dropRate, int inChannels, int numClasses) : base("WideResNet")
    {
        int n = (depth - 4) / 6;
        int[] c = [16, 16 * widenFactor, 32 * widenFactor, 64 * widenFactor];
        conv1 = nn.Conv2d(inChannels, c[0], 3, padding: 1, bias: false);
        block1 = new NetworkBlock(n, c[0], c[1], 1, dropRate);
        block2 = new NetworkBlock(n, c[1], c[2], 2, dropRate);
        block3 = new NetworkBlock(n, c[2], c[3], 2, dropRate);
        bn1 = nn.BatchNorm2d(c[3]);
        fc = nn.Linear(c[3], numClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = block3.call(block2.call(block1.call(conv1.call(x))));
        h = nn.functional.relu(bn1.call(h));
        h = nn.functional.adaptive_avg_pool2d(h, [1, 1]).flatten(1);
        return fc.call(h).MoveToOuterDisposeScope();
    }

    private sealed class NetworkBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> layer;

        public NetworkBlock(int count, int inPlanes, int outPlanes, int stride, double dropRate) : base("NetworkBlock")
        {
            var blocks = new List<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i < count; i++)
                blocks.Add(new BasicBlock(i == 0 ? inPlanes : outPlanes, outPlanes, i == 0 ? stride : 1, dropRate));
            layer = nn.Sequential(blocks);
            RegisterComponents();
        }

        public override Tensor forward(Tensor x) => layer.call(x);
    }

    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> bn1, conv1, bn2, conv2;
        private readonly nn.Module<Tensor, Tensor>? convShortcut;
        private readonly double dropRate;

        public BasicBlock(int inPlanes, int outPlanes, int stride, double dropRate) : base("BasicBlock")
        {
            bn1 = nn.BatchNorm2d(inPlanes);
            conv1 = nn.Conv2d(inPlanes, outPlanes, 3, stride: stride, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(outPlanes);
            conv2 = nn.Conv2d(outPlanes, outPlanes, 3, padding: 1, bias: false);
            convShortcut = inPlanes != outPlanes ? nn.Conv2d(inPlanes, outPlanes, 1, stride: stride, bias: false) : null;
            this.dropRate = dropRate;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var act = nn.functional.relu(bn1.call(x));
            var h = nn.functional.relu(bn2.call(conv1.call(act)));
            if (dropRate > 0) h = nn.functional.dropout(h, dropRate, training);
            h = conv2.call(h);
            var skip = convShortcut is null ? x : convShortcut.call(act);
            return (skip + h).MoveToOuterDisposeScope();
        }
    }
}
