using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Core;

/// <summary>
/// Separable Gaussian blur of [B,C,H,W] tensors (radius 2.5 sigma), reflect-padded so borders keep their level: the one
/// blur of feature visualisation and gradient fooling.
/// </summary>
public static class GaussianBlur
{
    public static Tensor Apply(Tensor x, double sigma)
    {
        using var scope = NewDisposeScope();
        int radius = Math.Max(1, (int)Math.Ceiling(2.5 * sigma));
        radius = Math.Min(radius, (int)Math.Min(x.shape[2], x.shape[3]) - 1);
        var k = new float[2 * radius + 1];
        for (int i = -radius; i <= radius; i++) k[i + radius] = (float)Math.Exp(-i * i / (2 * sigma * sigma));
        float sum = k.Sum();
        for (int i = 0; i < k.Length; i++) k[i] /= sum;
        long c = x.shape[1];
        var kh = tensor(k, device: x.device).view(1, 1, 1, -1).expand(c, 1, 1, k.Length).contiguous();
        var kv = kh.view(c, 1, -1, 1);
        var y = nn.functional.pad(x, new long[] { radius, radius, 0, 0 }, PaddingModes.Reflect);
        y = nn.functional.conv2d(y, kh, groups: c);
        y = nn.functional.pad(y, new long[] { 0, 0, radius, radius }, PaddingModes.Reflect);
        y = nn.functional.conv2d(y, kv, groups: c);
        return y.MoveToOuterDisposeScope();
    }
}
