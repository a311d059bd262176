using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// Gradient-ascent fooling images: starting from noise or grey, ascend each target class's log-probability with
/// respect to the input pixels (Simonyan, Vedaldi, Zisserman 2013, arXiv:1312.6034; used for fooling images by Nguyen,
/// Yosinski, Clune 2015, arXiv:1412.1897, section 3.3), regularised as in Yosinski et al. 2015 (arXiv:1506.06579):
/// L2 decay towards the data mean, optional Gaussian blur every few steps, optional random jitter. All target classes
/// are one batch; one image per class.
/// Update per step: x += step_size * sqrt(D) * g / ||g||_2, where g drops the components that would push a pixel past a
/// bound (a normalised, projected L2 step, so the ascent does not stall as the log-probability saturates near 0); x -= l2_decay * (x - mean); clamp to [0, 1]. An image stops changing when its
/// confidence reaches the target. Input gradients come from torch.autograd.grad (never backward(), so no parameter
/// gradient is touched); the model runs in eval mode and the caller's mode is restored.
/// </summary>
public static class GradientFooling
{
    public static FoolingSearchResult Run(Classifier model, int[] classes, FoolingOptions options, IProgress<FoolingProgress>? progress = null,
        CancellationToken cancel = default)
    {
        options.Validate();
        if (classes.Length == 0) throw new ArgumentException("no classes to search", nameof(classes));
        InputGradientCheck.Ensure(model);
        var spec = model.Spec;
        var device = model.Device;
        int m = classes.Length;
        long dims = (long)spec.Channels * spec.Height * spec.Width;
        var recorder = new SearchRecorder(m, options.Thresholds);
        double targetLogOdds = ClassLogOdds.FromConfidence(options.TargetConfidence);
        var jitterRng = new Random((int)(LabContext.DeriveSeed(options.Seed, 0x61AD) & 0x7fffffff));
        int done = 0;
        long evaluations = 0;
        bool cancelled = false;

        using var targets = tensor(classes.Select(c => (long)c).ToArray(), device: device);
        using var mean = DataMean(spec, device);
        using var x = StartImages(options, m, spec, device);          // the images being optimised, owned here
        using var active = ones(new long[] { m, 1, 1, 1 }, device: device); // 1 until an image reaches the target
        var champions = new ImageData[m];

        model.InEvalMode(() =>
        {
            Evaluate(0);
            for (int step = 1; step <= options.Steps; step++)
            {
                if (cancel.IsCancellationRequested) { cancelled = true; break; }
                if (recorder.Best.All(b => b >= targetLogOdds)) break;
                using (var scope = NewDisposeScope())
                {
                    var xi = x.detach().clone().requires_grad_(true);
                    var input = xi;
                    if (options.Jitter > 0)
                    {
                        int dy = jitterRng.Next(-options.Jitter, options.Jitter + 1), dx = jitterRng.Next(-options.Jitter, options.Jitter + 1);
                        input = xi.roll([dy, dx], [2, 3]);
                    }
                    var logProb = nn.functional.log_softmax(model.call(input), 1).gather(1, targets.unsqueeze(1));
                    var grad = torch.autograd.grad([logProb.sum()], [xi])[0];
                    evaluations += m;
                    using (no_grad())
                    {
                        // Drop components that push a pixel already at a bound further out: the clamp would undo them,
                        // and with them in the norm the useful part of the step shrinks as more pixels saturate.
                        var cur = xi.detach();
                        grad = grad.masked_fill(cur.le(0).logical_and(grad.lt(0)).logical_or(cur.ge(1).logical_and(grad.gt(0))), 0);
                        var norm = grad.flatten(1).norm(1).clamp_min(1e-12).view(m, 1, 1, 1);
                        var next = xi.detach() + grad / norm * (options.StepSize * Math.Sqrt(dims));
                        if (options.L2Decay > 0) next = next - (next - mean) * options.L2Decay;
                        if (options.BlurEvery > 0 && step % options.BlurEvery == 0) next = GaussianBlur.Apply(next, options.BlurSigma);
                        next = next.clamp(0, 1);
                        // Images that already reached the target stay exactly as they were.
                        x.copy_(active * next + (1 - active) * x);
                    }
                }
                Evaluate(step);
                done = step;
                progress?.Report(recorder.Progress(step, options.Steps));
            }
            return 0;
        });

        var result = new List<FoolingChampion>();
        for (int c = 0; c < m; c++)
            result.Add(new FoolingChampion
            {
                ClassIndex = classes[c],
                ClassName = model.ClassNames[classes[c]],
                Confidence = ClassLogOdds.ToConfidence(recorder.Best[c]),
                LogOdds = recorder.Best[c],
                FoundAt = recorder.FoundAt[c],
                FoundAtSeconds = recorder.FoundAtSeconds[c],
                Crossings = recorder.Crossings(c),
                Image = champions[c],
            });
        return new FoolingSearchResult
        {
            Method = FoolingMethod.Gradient,
            Champions = result,
            Curve = recorder.Curve,
            Iterations = done,
            Evaluations = evaluations,
            Seconds = recorder.Seconds,
            Cancelled = cancelled,
        };

        // Scores the current images (no jitter), keeps the best image seen per class, freezes those at the target.
        void Evaluate(int step)
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var logOdds = ClassLogOdds.FromLogits(model.call(x)).gather(1, targets.unsqueeze(1)).squeeze(1).to(ScalarType.Float64).cpu();
            var values = logOdds.data<double>().ToArray();
            evaluations += m;
            for (int c = 0; c < m; c++)
            {
                if (recorder.Offer(c, values[c], step)) champions[c] = ImageData.FromTensor(x[c]);
                if (values[c] >= targetLogOdds) active[c].fill_(0);
            }
            recorder.EndIteration(step);
        }
    }

    private static Tensor DataMean(ModelSpec spec, Device device)
    {
        using var scope = NewDisposeScope();
        return tensor(spec.Mean, new long[] { 1, spec.Channels, 1, 1 }).to(device).DetachFromDisposeScope();
    }

    private static Tensor StartImages(FoolingOptions options, int count, ModelSpec spec, Device device)
    {
        using var scope = NewDisposeScope();
        long[] shape = [count, spec.Channels, spec.Height, spec.Width];
        Tensor x;
        if (options.GradientStart == GradientStart.Grey) x = full(shape, 0.5f);
        else
        {
            using var g = new Generator(LabContext.DeriveSeed(options.Seed, 0x6AD1), CPU);
            x = rand(shape, generator: g);
        }
        return x.to(device).DetachFromDisposeScope();
    }
}
