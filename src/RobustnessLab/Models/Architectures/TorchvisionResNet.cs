using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models.Architectures;

/// <summary>
/// torchvision's ResNet (He et al. 2015, arXiv:1512.03385; torchvision's "v1.5" with the stride in the bottleneck's
/// 3x3 convolution), with torchvision's state-dict names: conv1, bn1, layer1.0.conv1, ..., layer4.1.downsample.0, fc.
/// ResNet-18 uses basic blocks [2, 2, 2, 2]; ResNet-50 bottlenecks [3, 4, 6, 3].
/// </summary>
public sealed class TorchvisionResNet : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> conv1;
    private readonly nn.Module<Tensor, Tensor> bn1;
    private readonly nn.Module<Tensor, Tensor> layer1;
    private readonly nn.Module<Tensor, Tensor> layer2;
    private readonly nn.Module<Tensor, Tensor> layer3;
    private readonly nn.Module<Tensor, Tensor> layer4;
    private readonly nn.Module<Tensor, Tensor> fc;

    public TorchvisionResNet(bool bottleneck, int[] blocks, int inChannels, int numClasses) : base("ResNet")
    {
        // libtorch 2.10's oneDNN crashes (SIGFPE) planning the input gradient of ResNet-50's strided 1x1 convolutions.
        if (bottleneck) Core.NativeRuntime.DisableMkldnn("ResNet-50's strided 1x1 convolutions make libtorch 2.10's oneDNN divide by zero (SIGFPE) planning their input gradient");
        int expansion = bottleneck ? 4 : 1;
        conv1 = nn.Conv2d(inChannels, 64, 7, stride: 2, padding: 3, bias: false);
        bn1 = nn.BatchNorm2d(64);
        int inPlanes = 64;
        nn.Module<Tensor, Tensor> Layer(int planes, int count, int stride)
        {
            var mods = new List<nn.Module<Tensor, Tensor>>();
            for (int i = 0; i < count; i++)
            {
                int s = i == 0 ? stride : 1;
                nn.Module<Tensor, Tensor>? downsample = i == 0 && (s != 1 || inPlanes != planes * expansion)
                    ? nn.Sequential(nn.Conv2d(inPlanes, planes * expansion, 1, stride: s, bias: false), nn.BatchNorm2d(planes * expansion))
                    : null;
                mods.Add(bottleneck ? new Bottleneck(inPlanes, planes, s, downsample) : new BasicBlock(inPlanes, planes, s, downsample));
                inPlanes = planes * expansion;
            }
            return nn.Sequential(mods);
        }
        layer1 = Layer(64, blocks[0], 1);
        layer2 = Layer(128, blocks[1], 2);
        layer3 = Layer(256, blocks[2], 2);
        layer4 = Layer(512, blocks[3], 2);
        fc = nn.Linear(512 * expansion, numClasses);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var h = nn.functional.relu(bn1.call(conv1.call(x)));
        h = nn.functional.max_pool2d(h, 3, stride: 2, padding: 1);
        h = layer4.call(layer3.call(layer2.call(layer1.call(h))));
        h = nn.functional.adaptive_avg_pool2d(h, [1, 1]).flatten(1);
        return fc.call(h).MoveToOuterDisposeScope();
    }

    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2;
        private readonly nn.Module<Tensor, Tensor>? downsample;

        public BasicBlock(int inPlanes, int planes, int stride, nn.Module<Tensor, Tensor>? downsample) : base("BasicBlock")
        {
            conv1 = nn.Conv2d(inPlanes, planes, 3, stride: stride, padding: 1, bias: false);
            bn1 = nn.BatchNorm2d(planes);
            conv2 = nn.Conv2d(planes, planes, 3, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(planes);
            this.downsample = downsample;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var h = nn.functional.relu(bn1.call(conv1.call(x)));
            h = bn2.call(conv2.call(h));
            return nn.functional.relu(h + (downsample is null ? x : downsample.call(x))).MoveToOuterDisposeScope();
        }
    }

    private sealed class Bottleneck : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1, bn1, conv2, bn2, conv3, bn3;
        private readonly nn.Module<Tensor, Tensor>? downsample;

        public Bottleneck(int inPlanes, int planes, int stride, nn.Module<Tensor, Tensor>? downsample) : base("Bottleneck")
        {
            conv1 = nn.Conv2d(inPlanes, planes, 1, bias: false);
            bn1 = nn.BatchNorm2d(planes);
            conv2 = nn.Conv2d(planes, planes, 3, stride: stride, padding: 1, bias: false);
            bn2 = nn.BatchNorm2d(planes);
            conv3 = nn.Conv2d(planes, planes * 4, 1, bias: false);
            bn3 = nn.BatchNorm2d(planes * 4);
            this.downsample = downsample;
            RegisterComponents();
        }

        public override Tensor forward(Tensor x)
        {
            using var scope = NewDisposeScope();
            var h = nn.functional.relu(bn1.call(conv1.call(x)));
            h = nn.functional.relu(bn2.call(conv2.call(h)));
            h = bn3.call(conv3.call(h));
            return nn.functional.relu(h + (downsample is null ? x : downsample.call(x))).MoveToOuterDisposeScope();
        }
    }
}
