using System.Diagnostics;
using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Models;
using RobustnessLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Benchmarks;

/// <summary>
/// How to use several cores on this project's small convolutions: one worker with all intra-op threads against
/// N worker threads with threads / N intra-op threads each (<see cref="SampleWorkers"/>), on the same work in the
/// same process; and the attack step at larger batches.
/// </summary>
public static class ParallelBenchmarks
{
    /// <summary>
    /// Seconds for <paramref name="items"/> batches of <paramref name="steps"/> PGD iterations (batch <paramref name="batch"/>),
    /// with 1 worker and with <paramref name="workers"/> workers; best of <paramref name="trials"/>.
    /// </summary>
    public static Dictionary<string, double> PgdWorkers(Classifier model, int batch, int items, int steps, int workers, int trials = 2)
    {
        int threads = get_num_threads();
        using var x0 = rand(batch, model.Spec.Channels, model.Spec.Height, model.Spec.Width).to(model.Device);
        using var y = randint(0, model.NumClasses, [batch]).to(model.Device);
        model.eval();
        int Body(int item)
        {
            using var scope = NewDisposeScope();
            var access = new AttackModel(model);
            var adv = x0.clone();
            for (int t = 0; t < steps; t++)
            {
                using var step = NewDisposeScope();
                var (g, _) = access.Gradient(adv, l => AttackLoss.CrossEntropy(l, y));
                adv.copy_(torch.min(torch.max(adv + 0.01f * g.sign(), x0 - 0.1f), x0 + 0.1f).clamp_(0f, 1f));
            }
            return item;
        }
        SampleWorkers.Run(2, 1, threads, Body); // warm-up
        double Best(int w)
        {
            double best = double.PositiveInfinity;
            for (int t = 0; t < trials; t++)
            {
                var sw = Stopwatch.StartNew();
                SampleWorkers.Run(items, w, threads, Body);
                best = Math.Min(best, sw.Elapsed.TotalSeconds);
            }
            return best;
        }
        double one = Best(1), many = Best(workers);
        return new()
        {
            ["threads"] = threads,
            ["workers"] = workers,
            ["seconds_1_worker"] = one,
            [$"seconds_{workers}_workers"] = many,
            ["speedup"] = one / many,
            ["sample_steps_per_s_1_worker"] = items * batch * (double)steps / one,
            [$"sample_steps_per_s_{workers}_workers"] = items * batch * (double)steps / many,
        };
    }

    /// <summary>
    /// PGD-AT (7 steps) training-step time with 1 worker (all threads) and with N workers splitting the attack, and the
    /// epoch time they imply on a 59,000-image training set at batch 128.
    /// </summary>
    public static Dictionary<string, double> PgdTraining(LabContext lab, int workers, int batch = 128, int stepsTimed = 12)
    {
        var result = new Dictionary<string, double>();
        using var model = CoreBenchmarks.CreateCnn(lab.Device);
        var objective = TrainingObjectives.Create("pgd", new Dictionary<string, double> { ["eps"] = 0.1, ["steps"] = 7 });
        using var opt = Trainer.CreateOptimizer(model, new TrainingOptions());
        using var gen = new Generator(1, CPU);
        using var x = rand(batch, 1, 28, 28);
        using var y = randint(0, 10, [batch]);
        double Median(int w)
        {
            model.train();
            var info = new TrainingStepInfo(0, 0, 1, 1, gen) { Workers = w };
            var times = new List<double>();
            for (int i = 0; i < stepsTimed + 2; i++)
            {
                var sw = Stopwatch.StartNew();
                using (var scope = NewDisposeScope())
                {
                    opt.zero_grad();
                    var o = objective.Compute(model, x, y, info);
                    o.Loss.backward();
                    opt.step();
                    o.Loss.item<float>();
                }
                if (i >= 2) times.Add(sw.Elapsed.TotalSeconds); // two warm-up steps
            }
            times.Sort();
            return times[times.Count / 2];
        }
        double one = Median(1), many = Median(workers);
        double stepsPerEpoch = Math.Ceiling(59000.0 / batch);
        result["batch_size"] = batch;
        result["workers"] = workers;
        result["ms_per_step_1_worker"] = one * 1000;
        result[$"ms_per_step_{workers}_workers"] = many * 1000;
        result["epoch_seconds_1_worker"] = one * stepsPerEpoch;
        result[$"epoch_seconds_{workers}_workers"] = many * stepsPerEpoch;
        result["speedup"] = one / many;
        return result;
    }

    /// <summary>
    /// Attack-step throughput (forward + input gradient) at larger batches than the step benchmarks' default, and at
    /// batch 256 with libtorch's oneDNN (mkldnn) convolutions switched off (<see cref="NativeRuntime.SetMkldnnEnabled"/>),
    /// then back on. (TorchSharp 0.107 exposes no memory-format argument, so channels-last cannot be chosen from here.)
    /// </summary>
    public static Dictionary<string, double> BatchSizes(Classifier model, double matmulGflops, double seconds)
    {
        var result = new Dictionary<string, double>();
        foreach (int b in new[] { 128, 256, 512, 1024 })
        {
            var m = CoreBenchmarks.FgsmStep(model, b, matmulGflops, seconds);
            result[$"fgsm_images_per_s_batch_{b}"] = m.ImagesPerSecond;
            result[$"fgsm_flop_utilization_batch_{b}"] = m.FlopUtilization;
        }
        // Gradient-free forward passes with each 2x2 max-pooling kernel (MaxPool2x2): libtorch's max_pool2d, which
        // always computes argmax indices, against the maximum of four strided slices. Batch 21 is the size of the
        // last AutoAttack members' batches on a standard cnn.
        foreach (int b in new[] { 21, 256 })
        {
            var fast = CoreBenchmarks.Forward(model, b, matmulGflops, seconds);
            StepMeasurement old;
            using (MaxPool2x2.UseMaxPool2d()) old = CoreBenchmarks.Forward(model, b, matmulGflops, seconds);
            result[$"forward_ms_batch_{b}"] = fast.MillisecondsPerStep;
            result[$"forward_ms_batch_{b}_max_pool2d"] = old.MillisecondsPerStep;
            result[$"forward_flop_utilization_batch_{b}"] = fast.FlopUtilization;
            result[$"forward_pooling_speedup_batch_{b}"] = old.MillisecondsPerStep / fast.MillisecondsPerStep;
        }
        // Only where oneDNN is on and can be switched back on: a process that switched it off for a reason keeps it off.
        if (!NativeRuntime.MkldnnDisabled && NativeRuntime.SetMkldnnEnabled(false))
        {
            try
            {
                var off = CoreBenchmarks.FgsmStep(model, 256, matmulGflops, seconds);
                result["fgsm_images_per_s_batch_256_onednn_off"] = off.ImagesPerSecond;
                result["onednn_speedup_batch_256"] = result["fgsm_images_per_s_batch_256"] / off.ImagesPerSecond;
            }
            finally { NativeRuntime.SetMkldnnEnabled(true); }
        }
        return result;
    }
}
