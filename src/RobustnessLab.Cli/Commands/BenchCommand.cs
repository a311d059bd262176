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
        [Description("comma-separated subset: train,fgsm,pgd,memory,data,fooling,visualize (matmul always runs)")]
        public string? Only { get; set; }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        if (s.Batch <= 0) throw new UsageException($"--batch must be positive, got {s.Batch}");
        if (!(s.Seconds > 0)) throw new UsageException($"--seconds must be positive, got {s.Seconds}");
        if (s.MemorySteps < 0) throw new UsageException($"--memory-steps must be >= 0, got {s.MemorySteps}");
        var only = s.Only?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        string[] workloads = ["train", "fgsm", "pgd", "memory", "data", "fooling", "visualize"];
        if (only?.FirstOrDefault(w => !workloads.Contains(w)) is { } unknown)
            throw new UsageException($"--only: unknown workload '{unknown}'; valid: {string.Join(", ", workloads)}");
        bool Want(string w) => only is null || only.Contains(w);
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
        if (s.JsonOut is not null) Json.WriteFile(s.JsonOut, report);
        return CliHost.Ok;
    }
}
