using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Attacks;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Experiments;
using RobustnessLab.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

public sealed class RobustnessCommand : LabCommand<RobustnessCommand.Settings>
{
    public sealed class Settings : AttackSettings
    {
        [CommandOption("--attacks <LIST>")]
        [Description("comma-separated attacks (default fgsm,pgd): fgsm, bim, pgd, pgd-l2, mi-fgsm, apgd-ce, apgd-t, square, deepfool, deepfool-linf, cw, ensemble")]
        public string? Attacks { get; set; }

        [CommandOption("--eps <LIST>")]
        [Description("linf budgets, pixel units in [[0,1]] (default 0,0.05,0.1; 8/255 = 0.0314)")]
        public string? Eps { get; set; }

        [CommandOption("--l2-eps <LIST>")]
        [Description("budgets of the L2 attacks (pgd-l2, deepfool, cw; default 0,0.5,1,2)")]
        public string? L2Eps { get; set; }

        [CommandOption("-n|--samples <N>")]
        [Description("first N test images (default 1000; 0: all); --n works too")]
        public int? Samples { get; set; }

        [CommandOption("--batch-size <N>")][Description("default 250")] public int? BatchSize { get; set; }

        [CommandOption("--min-eps <ATTACK>")]
        [Description("also search each sample's minimal epsilon for this attack (bisection)")]
        public string? MinEps { get; set; }

        [CommandOption("--min-eps-max <EPS>")]
        [Description("upper end of the minimal-epsilon search (default 0.5)")]
        public double? MinEpsMax { get; set; }

        [CommandOption("--mode <MODE>")]
        [Description("early-stop (default): each sample stops at its first adversarial iterate (same robust accuracy, far fewer steps); max-loss: every sample runs every step")]
        public string? Mode { get; set; }

        [CommandOption("--independent-eps")]
        [Description("attack every epsilon on every sample (default: a sample broken at a smaller epsilon keeps that example at the larger ones)")]
        public bool IndependentEps { get; set; }

        [CommandOption("--workers <N>")]
        [Description("worker threads sharing the batches, --threads split among them (default 1; results do not depend on it)")]
        public int? Workers { get; set; }

        [CommandOption("-o|--out <FILE>")]
        [Description("write the result as JSON (the record of a config's attacks: stage)")]
        public string? Out { get; set; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful) return b;
            if (Samples < 0) return ValidationResult.Error($"--n must be >= 0, got {Samples}");
            if (BatchSize <= 0) return ValidationResult.Error($"--batch-size must be positive, got {BatchSize}");
            if (Workers <= 0) return ValidationResult.Error($"--workers must be positive, got {Workers}");
            return ValidationResult.Success();
        }
    }

    /// <summary>
    /// The library's options from the flags: <see cref="RobustnessOptions"/>' defaults, overridden by each flag given
    /// (what a config's <c>attacks:</c> entries do with their keys). Validated.
    /// </summary>
    public static RobustnessOptions BuildOptions(Settings s)
    {
        var d = new RobustnessOptions();
        var names = s.Attacks?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? d.Attacks.Select(a => a.Name).ToArray();
        if (names.Length == 0) throw new UsageException("--attacks needs at least one attack; valid: " + string.Join(", ", AttackRegistry.Names));
        foreach (var name in names)
            if (!AttackRegistry.Names.Contains(name, StringComparer.OrdinalIgnoreCase))
                throw new UsageException($"unknown attack '{name}'; valid: {string.Join(", ", AttackRegistry.Names)}");
        var args = s.AttackArguments(names);
        var (rule, target) = s.TargetRule();
        var options = d with
        {
            Attacks = names.Select(n => new AttackSpec(n, args.GetValueOrDefault(n) is { Count: > 0 } a ? a : null)).ToList(),
            Epsilons = s.Eps is null ? d.Epsilons : LabSettings.ParseNumberList(s.Eps, "--eps"),
            L2Epsilons = s.L2Eps is null ? d.L2Epsilons : LabSettings.ParseNumberList(s.L2Eps, "--l2-eps"),
            Samples = s.Samples ?? d.Samples,
            BatchSize = s.BatchSize ?? d.BatchSize,
            Seed = s.Seed,
            Target = rule,
            TargetClass = target,
            MinimalEpsilonAttack = s.MinEps is null ? null : new AttackSpec(s.MinEps, args.GetValueOrDefault(s.MinEps)),
            MinimalEpsilonMax = s.MinEpsMax ?? d.MinimalEpsilonMax,
            Mode = s.Mode is null ? d.Mode : ParseMode(s.Mode),
            NestedEpsilons = !s.IndependentEps && d.NestedEpsilons,
            Workers = s.Workers ?? d.Workers,
        };
        try { options.Validate(); }
        catch (LabException e) { throw new UsageException(e.Message); }
        return options;
    }

    private static AttackMode ParseMode(string text)
    {
        try { return AttackModes.Parse(text, "--mode"); }
        catch (LabException e) { throw new UsageException(e.Message); }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var options = BuildOptions(s);
        if (s.Out is not null) AtomicFile.RequireFileOutput(s.Out, "--out");

        var ctx = CreateContext(s, s.Seed);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        var datasetName = s.Dataset ?? info.Dataset ?? FashionMnist.Name;
        using var data = DatasetRegistry.LoadForModel(datasetName, new DataOptions(s.DataDir, Seed: info.DataSeed), info, ctx.Device);
        AnsiConsole.MarkupLine($"[grey]robustness[/] of {Markup.Escape(s.Model!)} ({Markup.Escape(info.Architecture)}) on {Markup.Escape(datasetName)} test, " +
                               $"{(options.Samples == 0 ? data.Test.Count : Math.Min(options.Samples, data.Test.Count)):N0} images, {Markup.Escape(options.Criterion.Describe())}, {options.Mode.Name()}, " +
                               (options.Workers > 1 ? $"{options.Workers} workers x {Math.Max(1, ctx.Threads / options.Workers)} threads" : $"{ctx.Threads} threads"));
        if (options.Samples > data.Test.Count) Warn($"--n {options.Samples} is more than the {data.Test.Count} test images of '{datasetName}'; using all {data.Test.Count}");
        var report = ConsoleProgress.Run(s, "robustness", bar => RobustnessEvaluation.Run(model, data.Test, options,
            bar.For<RobustnessProgress>((b, p) => b.Set(p.Done, p.Total, p.Stage)), cancel, s.Model,
            trainedAt: info.TrainedAt()));

        var table = new Table().Border(TableBorder.Simple).AddColumns("attack", "norm", "eps", "robust acc", "success (correct)", "success (all)",
            "adv conf", "max linf", "mean l2", "seconds", "grads/queries");
        foreach (var r in report.Attacks)
            table.AddRow(r.Attack, r.Norm, F(r.Eps), F(r.RobustAccuracy), F(r.SuccessRateCorrect), F(r.SuccessRateAll), F(r.MeanAdvConfidence),
                F(r.MaxLinf), F(r.MeanL2), $"{r.Seconds:F1}", r.GradientEvals is { } g ? $"{g:F1} grads" : r.Queries is { } q ? $"{q:F1} queries" : "");
        AnsiConsole.Write(table);
        // An ensemble's members in the order they ran, each on the points still robust: where its time went.
        foreach (var r in report.Attacks.Where(r => r.Stages is { Count: > 0 }))
            AnsiConsole.MarkupLine($"[grey]{Markup.Escape(r.Attack)} {r.Norm} eps {F(r.Eps)} by member: " + Markup.Escape(string.Join("; ",
                r.Stages!.Select(st => $"{st.Attack} ran on {st.Attacked}, broke {st.Broken}, {st.Seconds:F1} s"))) + "[/]");
        AnsiConsole.MarkupLine("[grey]mode: " + Markup.Escape(string.Join("; ", report.Attacks.GroupBy(r => r.Attack)
            .Select(g => $"{g.Key} {g.First().Mode}" + (g.First().EpsilonGrid == "nested" ? " (nested eps)" : "")))) + "[/]");
        foreach (var w in report.WorstCase)
            AnsiConsole.MarkupLine($"worst case {w.Norm} eps {F(w.Eps)}: robust accuracy [bold]{w.RobustAccuracy:F4}[/] over {Markup.Escape(string.Join(", ", w.Attacks))}" +
                                   (w.Flips.Count > 0 ? $"; top flips: {Markup.Escape(string.Join(", ", w.Flips.Take(3).Select(f => $"{f.From} -> {f.To} ({f.Count})")))}" : ""));
        if (report.MinimalEpsilon is { } m)
            AnsiConsole.MarkupLine($"minimal {m.Norm} eps ({Markup.Escape(m.Attack)}, {Markup.Escape(m.Method)}): median {(m.Median is { } med ? F(med) : $"> {F(m.MaxEps)}")}, " +
                                   $"found for {m.Found}/{m.Samples} initially-correct samples");
        AnsiConsole.MarkupLine($"clean accuracy [bold]{report.CleanAccuracy:F4}[/] on {report.Samples:N0} images; {report.Seconds:F1} s");
        if (report.Flags.Count == 0) AnsiConsole.MarkupLine("[green]no sanity flags[/]");
        foreach (var f in report.Flags) AnsiConsole.MarkupLine($"[yellow]flag:[/] {Markup.Escape(f)}");
        if (s.Out is not null)
        {
            // The attacks: stage's record (its writer and serialiser), the model named as given.
            Json.WriteFile(s.Out, AttacksResult.From([(s.Model!, report)]));
            AnsiConsole.MarkupLine($"report: {Markup.Escape(Path.GetFullPath(s.Out))}");
        }
        return CliHost.Ok;
    }

    private static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.####", CultureInfo.InvariantCulture);
}
