using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Models;
using RobustnessLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Benchmarks;

/// <summary>
/// The foundation's timed workloads. Each runs warm-up steps, then as many timed steps as fit in the time budget,
/// and reports the median step time (robust to a noisy shared machine).
/// </summary>
public static class CoreBenchmarks
{
    /// <summary>float32 n x n matmul rate, best of several timed trials: the machine's practical peak.</summary>
    public static double MatmulGflops(int n = 1024, double seconds = 2.0)
    {
        using var scope = NewDisposeScope();
        var a = randn(n, n);
        var b = randn(n, n);
        for (int i = 0; i < 3; i++) { using var r = a.mm(b); } // warm-up
        double best = 0;
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var sw = Stopwatch.StartNew();
            int reps = 0;
            while (sw.Elapsed.TotalSeconds < 0.2) { { using var r = a.mm(b); } reps++; }
            best = Math.Max(best, 2.0 * n * n * (double)n * reps / sw.Elapsed.TotalSeconds / 1e9);
        }
        return best;
    }

    /// <summary>The benchmark model: the zoo's `cnn` at the lab's defaults for a 1x28x28, 10-class input.</summary>
    public static Classifier CreateCnn(Device device, int seed = 0)
    {
        torch.manual_seed(seed);
        var spec = ModelZoo.Spec("cnn", [1, 28, 28], Enumerable.Range(0, 10).Select(i => $"class {i}").ToArray(), [0.286f], [0.353f]);
        var m = ModelZoo.Create(spec);
        m.to(device);
        return m;
    }

    /// <summary>One optimiser step (forward, backward, Adam update) of the lab's trainer at the given batch size.</summary>
    public static StepMeasurement TrainStep(Classifier model, int batch, double matmulGflops, double seconds = 3.0)
    {
        double fwd = FlopCounter.ForwardFlops(model, [batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width]);
        using var opt = Trainer.CreateOptimizer(model, new TrainingOptions());
        var objective = new StandardObjective();
        using var gen = new Generator(1, CPU);
        using var x = rand(batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width).to(model.Device);
        using var y = randint(0, model.NumClasses, [batch]).to(model.Device);
        model.train();
        var info = new TrainingStepInfo(0, 0, 1, 1, gen);
        void Step()
        {
            using var scope = NewDisposeScope();
            opt.zero_grad();
            var o = objective.Compute(model, x, y, info);
            o.Loss.backward();
            opt.step();
            o.Loss.item<float>();
        }
        // Forward + weight gradients + input-side gradients of every layer but the first: about 3x the forward work.
        var m = Time(Step, batch, 3 * fwd, matmulGflops, seconds);
        model.eval();
        return m with { Note = "forward + backward + Adam; FLOPs counted as 3 x forward (conv/linear only)" };
    }

    /// <summary>The FGSM step: forward pass and the gradient of the loss with respect to the input (eval mode).</summary>
    public static StepMeasurement FgsmStep(Classifier model, int batch, double matmulGflops, double seconds = 3.0)
    {
        double fwd = FlopCounter.ForwardFlops(model, [batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width]);
        using var x0 = rand(batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width).to(model.Device);
        using var y = randint(0, model.NumClasses, [batch]).to(model.Device);
        model.eval();
        void Step()
        {
            using var scope = NewDisposeScope();
            var x = x0.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(model.call(x), y);
            var g = autograd.grad([loss], [x])[0];
            var adv = (x0 + 0.1f * g.sign()).clamp_(0f, 1f);
            adv.sum().item<float>();
        }
        // Forward, then the input-gradient path only (no weight gradients): about 2x the forward work.
        return Time(Step, batch, 2 * fwd, matmulGflops, seconds) with { Note = "forward + input gradient + sign step + clamp; FLOPs counted as 2 x forward" };
    }

    /// <summary>A gradient-free forward pass (eval mode), as Square's queries and clean accuracy run it.</summary>
    public static StepMeasurement Forward(Classifier model, int batch, double matmulGflops, double seconds = 3.0)
    {
        double fwd = FlopCounter.ForwardFlops(model, [batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width]);
        using var x = rand(batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width).to(model.Device);
        model.eval();
        void Step()
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            model.call(x).sum().item<float>();
        }
        return Time(Step, batch, fwd, matmulGflops, seconds) with { Note = "forward pass without gradients; FLOPs counted as 1 x forward" };
    }

    /// <summary>One Linf PGD iteration: forward, input gradient, signed step, projection onto the eps ball, clamp.</summary>
    public static StepMeasurement PgdStep(Classifier model, int batch, double matmulGflops, double seconds = 3.0)
    {
        double fwd = FlopCounter.ForwardFlops(model, [batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width]);
        using var x0 = rand(batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width).to(model.Device);
        using var y = randint(0, model.NumClasses, [batch]).to(model.Device);
        var adv = x0.clone().DetachFromDisposeScope();
        const float eps = 0.1f, alpha = 0.01f;
        model.eval();
        void Step()
        {
            using var scope = NewDisposeScope();
            var x = adv.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(model.call(x), y);
            var g = autograd.grad([loss], [x])[0];
            var next = torch.min(torch.max(x.detach() + alpha * g.sign(), x0 - eps), x0 + eps).clamp_(0f, 1f);
            adv.copy_(next);
        }
        try
        {
            return Time(Step, batch, 2 * fwd, matmulGflops, seconds) with { Note = "one PGD iteration; FLOPs counted as 2 x forward" };
        }
        finally
        {
            adv.Dispose();
        }
    }

    /// <summary>Resident memory before and after many PGD iterations (a native leak shows as growth).</summary>
    public static (double StartMb, double EndMb, int Steps) PgdMemory(Classifier model, int batch, int steps)
    {
        using var x0 = rand(batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width).to(model.Device);
        using var y = randint(0, model.NumClasses, [batch]).to(model.Device);
        using var adv = x0.clone();
        model.eval();
        double start = 0;
        for (int i = 0; i < steps; i++)
        {
            if (i == 20) start = Trainer.ResidentMegabytes(); // after allocator warm-up
            using var scope = NewDisposeScope();
            var x = adv.detach().requires_grad_(true);
            var loss = nn.functional.cross_entropy(model.call(x), y);
            var g = autograd.grad([loss], [x])[0];
            adv.copy_(torch.min(torch.max(x.detach() + 0.01f * g.sign(), x0 - 0.1f), x0 + 0.1f).clamp_(0f, 1f));
        }
        return (start, Trainer.ResidentMegabytes(), steps);
    }

    private static StepMeasurement Time(Action step, int batch, double flopsPerStep, double matmulGflops, double seconds)
    {
        for (int i = 0; i < 3; i++) step(); // warm-up: allocator, kernels, caches
        var times = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds || times.Count < 5)
        {
            var sw = Stopwatch.StartNew();
            step();
            times.Add(sw.Elapsed.TotalSeconds);
        }
        times.Sort();
        double median = times[times.Count / 2];
        double gflops = flopsPerStep / median / 1e9;
        return new StepMeasurement
        {
            BatchSize = batch,
            MillisecondsPerStep = median * 1000,
            ImagesPerSecond = batch / median,
            GflopPerStep = flopsPerStep / 1e9,
            Gflops = gflops,
            FlopUtilization = gflops / matmulGflops,
            Steps = times.Count,
        };
    }
}
