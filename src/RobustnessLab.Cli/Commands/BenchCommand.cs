using System.ComponentModel;
using RobustnessLab.Benchmarks;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

public sealed class BenchCommand : LabCommand<BenchCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandOption("--json <FILE>")]
        [Description("also write the measurements as JSON")]
        public string? JsonOut { get; set; }

        [CommandOption("--batch <N>")]
        [Description("batch size of the step workloads")]
        [DefaultValue(256)]
        public int Batch { get; set; } = 256;

        [CommandOption("--seconds <S>")]
        [Description("time budget per workload")]
        [DefaultValue(3.0)]
        public double Seconds { get; set; } = 3.0;

        [CommandOption("--memory-steps <N>")]
        [Description("PGD iterations of the memory check (0: skip)")]
        [DefaultValue(1000)]
        public int MemorySteps { get; set; } = 1000;

        [CommandOption("--only <LIST>")]
        [Description("comma-separated subset: train,fgsm,pgd,memory,data,fooling,visualize,workers,pgd-at,batches,eval (matmul always runs; eval only when listed)")]
        public string? Only { get; set; }

        [CommandOption("--workers <N>")]
        [Description("worker threads of the workers, pgd-at and eval workloads")]
        [DefaultValue(2)]
        public int Workers { get; set; } = 2;

        [CommandOption("--eval-model <DIR>")]
        [Description("checkpoint for the eval workload (default: train a standard cnn for --eval-epochs on Fashion-MNIST)")]
        public string? EvalModel { get; set; }

        [CommandOption("--eval-epochs <N>")]
        [Description("epochs of the eval workload's standard cnn")]
        [DefaultValue(2)]
        public int EvalEpochs { get; set; } = 2;

        [CommandOption("--eval-samples <N>")]
        [Description("test images of the eval workload")]
        [DefaultValue(1000)]
        public int EvalSamples { get; set; } = 1000;
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        if (s.Batch <= 0) throw new UsageException($"--batch must be positive, got {s.Batch}");
        if (!(s.Seconds > 0)) throw new UsageException($"--seconds must be positive, got {s.Seconds}");
        if (s.MemorySteps < 0) throw new UsageException($"--memory-steps must be >= 0, got {s.MemorySteps}");
        if (s.Workers <= 0) throw new UsageException($"--workers must be positive, got {s.Workers}");
        if (s.EvalEpochs <= 0) throw new UsageException($"--eval-epochs must be positive, got {s.EvalEpochs}");
        if (s.EvalSamples <= 0) throw new UsageException($"--eval-samples must be positive, got {s.EvalSamples}");
        var only = s.Only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        string[] known = ["train", "fgsm", "pgd", "memory", "data", "fooling", "visualize", "workers", "pgd-at", "batches", "eval"];
        foreach (var w in only ?? [])
            if (!known.Contains(w)) throw new UsageException($"--only: unknown workload '{w}'; valid: {string.Join(", ", known)}");
        // The eval workload takes many minutes: it runs only when asked for by name.
        bool Want(string w) => only is null ? w != "eval" : only.Contains(w);
        double loadStart = LoadAverage();
        var ctx = CreateContext(s);
        if (s.JsonOut is not null) AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(s.JsonOut))!);

        AnsiConsole.MarkupLine($"[grey]bench: {ctx.Threads} threads, batch {s.Batch}, {s.Seconds:G3} s per workload[/]");
        double mm = CoreBenchmarks.MatmulGflops();
        AnsiConsole.MarkupLine($"matmul 1024x1024 float32: [bold]{mm:F1} GFLOP/s[/] (the reference for every ratio below)");
        using var model = CoreBenchmarks.CreateCnn(ctx.Device);
        double fwdPerImage = FlopCounter.ForwardFlops(model, [1, 1, 28, 28]) / 1e9;
        var report = new BenchReport
        {
            MatmulGflops = mm,
            MatmulSize = 1024,
            ForwardGflopPerImage = fwdPerImage,
            Threads = ctx.Threads,
            Provenance = Provenance.Capture(ctx.Threads),
            LoadAverage = { ["start"] = loadStart },
            TrainStep = Want("train") ? CoreBenchmarks.TrainStep(model, s.Batch, mm, s.Seconds) : null,
            FgsmStep = Want("fgsm") ? CoreBenchmarks.FgsmStep(model, s.Batch, mm, s.Seconds) : null,
            PgdStep = Want("pgd") ? CoreBenchmarks.PgdStep(model, s.Batch, mm, s.Seconds) : null,
        };
        if (Want("memory") && s.MemorySteps > 0)
        {
            var (start, end, steps) = CoreBenchmarks.PgdMemory(model, s.Batch, s.MemorySteps);
            report.Memory["pgd_steps"] = steps;
            report.Memory["rss_start_mb"] = start;
            report.Memory["rss_end_mb"] = end;
            report.Memory["rss_growth_mb"] = end - start;
        }
        if (Want("data") && Data.FashionMnist.IsAvailable(s.DataDir))
        {
            Data.FashionMnist.TimeLoad(s.DataDir); // first read warms the page cache; the second is what a run pays
            report.Workloads["fashion_mnist_load"] = new() { ["seconds"] = Data.FashionMnist.TimeLoad(s.DataDir).TotalSeconds, ["images"] = 70_000 };
        }
        BenchExtensions.RunAll(report, ctx, s, Want, cancel);
        BenchExtensions.RunParallel(report, ctx, s, Want, mm, cancel);
        report.LoadAverage["end"] = LoadAverage();

        var t = new Table().Border(TableBorder.Simple).AddColumns("workload", "ms/step", "images/s", "GFLOP/s", "of matmul");
        void Row(string name, StepMeasurement? m)
        {
            if (m is null) return;
            t.AddRow(name, $"{m.MillisecondsPerStep:F1}", $"{m.ImagesPerSecond:N0}", $"{m.Gflops:F1}", $"{m.FlopUtilization:P0}");
        }
        Row($"cnn train step (batch {s.Batch})", report.TrainStep);
        Row($"cnn FGSM step (batch {s.Batch})", report.FgsmStep);
        Row($"cnn PGD step (batch {s.Batch})", report.PgdStep);
        AnsiConsole.Write(t);
        AnsiConsole.MarkupLine($"[grey]cnn forward: {fwdPerImage * 1e3:F2} MFLOP per image (conv + linear multiply-adds x 2)[/]");
        foreach (var (name, values) in report.Workloads)
            AnsiConsole.MarkupLine($"{Markup.Escape(name)}: {Markup.Escape(string.Join(", ", values.Select(kv => $"{kv.Key} {kv.Value:G4}")))}");
        if (report.Memory.Count > 0)
            AnsiConsole.MarkupLine($"memory over {report.Memory["pgd_steps"]:F0} PGD steps: RSS {report.Memory["rss_start_mb"]:F0} MB -> {report.Memory["rss_end_mb"]:F0} MB ({report.Memory["rss_growth_mb"]:+0;-0} MB)");
        if (report.Eval is { } ev)
            AnsiConsole.MarkupLine($"eval: AutoAttack-style {ev["autoattack_seconds"]:F1} s vs {ev["autoattack_seconds_baseline"]:F1} s baseline ([bold]{ev["autoattack_speedup"]:F2}x[/]), " +
                                   $"robust accuracy {ev["robust_accuracy"]:F4} vs {ev["robust_accuracy_baseline"]:F4}; PGD-20 curve {ev["curve_seconds"]:F1} s vs {ev["curve_seconds_baseline"]:F1} s ([bold]{ev["curve_speedup"]:F2}x[/])");
        if (report.Eval is { } split)
            AnsiConsole.MarkupLine($"eval, split: early stop on 1 worker {split["autoattack_early_stop_speedup"]:F2}x (AutoAttack-style) and {split["curve_early_stop_speedup"]:F2}x (curve); " +
                                   $"{split["workers"]:F0} workers on top {split["autoattack_workers_speedup"]:F2}x and {split["curve_workers_speedup"]:F2}x");
        AnsiConsole.MarkupLine($"[grey]load average (1 min): {report.LoadAverage["start"]:F2} at the start, {report.LoadAverage["end"]:F2} at the end, on {Environment.ProcessorCount} cores[/]");
        if (s.JsonOut is not null) Json.WriteFile(s.JsonOut, report);
        return CliHost.Ok;
    }

    /// <summary>The 1-minute load average (NaN where /proc/loadavg does not exist).</summary>
    private static double LoadAverage()
    {
        try
        {
            var first = File.ReadAllText("/proc/loadavg").Split(' ')[0];
            return double.Parse(first, System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException) { return double.NaN; }
        catch (UnauthorizedAccessException) { return double.NaN; }
    }
}
