using RobustnessLab.Benchmarks;
using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Fooling;
using Spectre.Console;

namespace RobustnessLab.Cli.Commands;

/// <summary>Workloads of the other areas (fooling, visualisation) that `lab bench` times after the core ones.</summary>
internal static class BenchExtensions
{
    /// <summary>The speed workloads: workers against intra-op threads, PGD-AT with workers, larger batches, the evaluation paths.</summary>
    public static void RunParallel(BenchReport report, LabContext ctx, BenchCommand.Settings s, Func<string, bool> want, double matmulGflops, CancellationToken cancel)
    {
        if (want("workers"))
        {
            AnsiConsole.MarkupLine($"[grey]workers: 8 batches x 5 PGD steps (batch 128), 1 worker x {ctx.Threads} threads vs {s.Workers} workers...[/]");
            using var model = CoreBenchmarks.CreateCnn(ctx.Device);
            report.Workloads["pgd_workers"] = ParallelBenchmarks.PgdWorkers(model, 128, 8, 5, s.Workers);
        }
        if (want("pgd-at"))
        {
            AnsiConsole.MarkupLine($"[grey]pgd-at: PGD-AT (7 steps) training steps at batch 128, 1 worker vs {s.Workers} workers...[/]");
            report.Workloads["pgd_at_step"] = ParallelBenchmarks.PgdTraining(ctx, s.Workers);
        }
        if (want("batches"))
        {
            AnsiConsole.MarkupLine("[grey]batches: FGSM step at batch 128, 256, 512, 1024, and at 256 with oneDNN off...[/]");
            using var model = CoreBenchmarks.CreateCnn(ctx.Device);
            report.Workloads["fgsm_batch_sizes"] = ParallelBenchmarks.BatchSizes(model, matmulGflops, s.Seconds);
        }
        if (want("eval"))
        {
            using var data = Data.FashionMnist.Load(new Data.DataOptions(s.DataDir, Seed: 0), ctx.Device);
            Models.Classifier model;
            if (s.EvalModel is not null) model = Models.Checkpoint.Load(s.EvalModel, ctx.Device).Model;
            else
            {
                AnsiConsole.MarkupLine($"[grey]eval: training a standard cnn for {s.EvalEpochs} epoch(s) on Fashion-MNIST (not timed)...[/]");
                model = EvaluationBenchmark.TrainStandardCnn(ctx, data, s.EvalEpochs, cancel: cancel);
            }
            using var _ = model;
            var progress = new ConsoleLines(m => AnsiConsole.MarkupLine($"[grey]eval: {Markup.Escape(m)}...[/]"));
            report.Eval = EvaluationBenchmark.Run(model, data.Test, s.EvalSamples, 0.1, s.Workers, progress, cancel);
        }
    }

    public static void RunAll(BenchReport report, LabContext ctx, BenchCommand.Settings s, Func<string, bool> want, CancellationToken cancel)
    {
        if (want("fooling"))
        {
            // The fooling speed figure of the README: 200 generations, population 200, all 10 classes, direct encoding, on the
            // benchmark cnn (the cost of a generation does not depend on the weights).
            using var model = CoreBenchmarks.CreateCnn(ctx.Device);
            model.eval();
            AnsiConsole.MarkupLine("[grey]fooling: 200 generations x population 200, direct encoding, 10 classes...[/]");
            var r = FoolingBenchmark.DirectEncoding(model, 200, 200, 0, cancel: cancel);
            double seconds = r.Seconds;
            report.Workloads["fooling_direct_200x200"] = new()
            {
                ["seconds"] = seconds,
                ["generations_per_s"] = 200 / seconds,
                ["images_scored_per_s"] = r.ImagesPerSecond,
            };
        }
        if (want("visualize"))
        {
            // The visualisation speed figure of the README: a 512-step visualisation of one class at 64x64 (Fourier, decorrelated colour,
            // standard transforms) on a gym-shaped cnn.
            AnsiConsole.MarkupLine("[grey]visualize: 512 steps of one class at 64x64...[/]");
            var t = FeatureVisBench.TimeClassVisualization(ctx, 512, 64, cancel);
            report.Workloads["visualize_512_steps_64px"] = new() { ["seconds"] = t.Seconds, ["steps_per_s"] = t.StepsPerSecond };
            // The dumbbell experiment's visualisation of a robust (L2 PGD-AT) model at 64x64, with its own settings.
            AnsiConsole.MarkupLine("[grey]visualize: 512 steps of a robust 64x64 gym model, the dumbbell experiment's settings...[/]");
            var r = RobustnessLab.Dumbbell.DumbbellBench.TimeRobustVisualization(ctx, 512, 64, cancel);
            report.Workloads["visualize_robust_512_steps_64px"] = new() { ["seconds"] = r.Seconds, ["steps_per_s"] = r.StepsPerSecond };
            AnsiConsole.MarkupLine("[grey]visualize: 512 steps of robust synthesis (Santurkar et al. 2019) on the same kind of model...[/]");
            var rs = RobustnessLab.Dumbbell.DumbbellBench.TimeRobustVisualization(ctx, 512, 64, cancel, "synthesis");
            report.Workloads["visualize_robust_synthesis_512_steps_64px"] = new() { ["seconds"] = rs.Seconds, ["steps_per_s"] = rs.StepsPerSecond };
        }
    }

    private sealed class ConsoleLines(Action<string> write) : IProgress<string>
    {
        public void Report(string value) => write(value);
    }
}
