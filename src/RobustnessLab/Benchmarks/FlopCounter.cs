using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RobustnessLab.Benchmarks;

/// <summary>
/// Counts the multiply-add FLOPs (2 per multiply-accumulate) of one forward pass through every Conv2d and Linear
/// layer of a model, from the shapes seen by forward hooks. Element-wise layers are not counted: the figure is the
/// dense work a matmul-bound machine must do.
/// </summary>
public static class FlopCounter
{
    /// <summary>Forward FLOPs for a batch of the given shape.</summary>
    public static double ForwardFlops(nn.Module<Tensor, Tensor> model, long[] inputShape)
    {
        double flops = 0;
        var removers = new List<Action>();
        foreach (var (_, m) in model.named_modules())
        {
            if (m is Conv2d conv)
            {
                var hc = conv.register_forward_hook((mod, input, output) =>
                {
                    var w = conv.weight!;
                    // out elements x (Cin/groups * kh * kw) multiply-adds
                    flops += 2.0 * output.numel() * w.shape[1] * w.shape[2] * w.shape[3];
                    return output;
                });
                removers.Add(hc.remove);
            }
            else if (m is Linear lin)
            {
                var hl = lin.register_forward_hook((mod, input, output) =>
                {
                    flops += 2.0 * output.numel() * lin.weight!.shape[1];
                    return output;
                });
                removers.Add(hl.remove);
            }
        }
        try
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            bool wasTraining = model.training;
            model.eval();
            model.call(zeros(inputShape));
            if (wasTraining) model.train();
        }
        finally
        {
            foreach (var remove in removers) remove();
        }
        return flops;
    }
}
