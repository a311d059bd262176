using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Attacks;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Reporting.Figures;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab attack`: the panda figure per chosen example, as PNG panels, exact 16-bit PNGs and JSON.</summary>
public sealed class AttackCommand : LabCommand<AttackCommand.Settings>
{
    public sealed class Settings : AttackSettings, IFigureSettings
    {
        [CommandOption(IFigureSettings.FormatOption)] [Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)] [Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

        [CommandOption("-a|--attack <NAME>")] [Description("fixed-epsilon attack: fgsm (default), bim, pgd, pgd-l2, mi-fgsm, apgd-ce, apgd-t, square, ensemble")]
        [DefaultValue("fgsm")]
        public string Attack { get; set; } = "fgsm";

        [CommandOption("--eps <EPS>")] [Description("budget in pixel units (the panda figure used 0.007 on ImageNet)")] [DefaultValue(0.1)]
        public double Eps { get; set; } = 0.1;

        [CommandOption("--examples <N|most-confident>")]
        [Description("N: the first N correctly classified test images; most-confident[[:N]]: the N most confidently correct ones")]
        [DefaultValue("1")]
        public string Examples { get; set; } = "1";

        [CommandOption("--pool <N>")] [Description("test images searched for examples")] [DefaultValue(1000)]
        public int Pool { get; set; } = 1000;

        [CommandOption("-o|--out <DIR>")] [Description("folder for the panels and figure.json (required)")]
        public string? Out { get; set; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful) return b;
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required");
            if (Pool <= 0) return ValidationResult.Error($"--pool must be positive, got {Pool}");
            return ValidationResult.Success();
        }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var (count, mostConfident) = ParseExamples(s.Examples);
        if (!AttackRegistry.Names.Contains(s.Attack, StringComparer.OrdinalIgnoreCase))
            throw new UsageException($"unknown attack '{s.Attack}'; valid: {string.Join(", ", AttackRegistry.Names)}");
        var args = s.AttackArguments([s.Attack]);
        var (rule, target) = s.TargetRule();
        var options = new FigureOptions
        {
            Attack = new AttackSpec(s.Attack, args[s.Attack]),
            Eps = s.Eps,
            Examples = count,
            MostConfident = mostConfident,
            Pool = s.Pool,
            Target = rule,
            TargetClass = target,
            Seed = s.Seed,
        };
        try { options.Validate(); }
        catch (LabException e) { throw new UsageException(e.Message); }
        var figures = ((IFigureSettings)s).Figures();
        AtomicFile.EnsureWritableDirectory(s.Out!);

        var ctx = CreateContext(s, s.Seed);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        var datasetName = s.Dataset ?? info.Dataset ?? FashionMnist.Name;
        using var data = DatasetRegistry.Load(datasetName, new DataOptions(s.DataDir, Seed: info.Seed), ctx.Device);
        var panels = ConsoleProgress.Run(s, $"{s.Attack} eps {s.Eps}", bar =>
        {
            bar.Set(0, 1, "attacking");
            var p = AdversarialFigure.Build(model, data.Test, options, cancel);
            bar.Set(1, 1, "done");
            return p;
        });

        var written = new List<AdversarialPanel>();
        foreach (var p in panels)
        {
            var stem = $"{p.Index:D5}";
            var files = new Dictionary<string, string>
            {
                ["clean"] = $"{stem}-clean.png",
                ["adversarial"] = $"{stem}-adversarial.png",
            };
            // Exact 16-bit images (lossless for evaluation), then the saved adversarial is read back and classified.
            Png.SaveExact(p.CleanImage, Path.Combine(s.Out!, files["clean"]));
            Png.SaveExact(p.AdversarialImage, Path.Combine(s.Out!, files["adversarial"]));
            var saved = AdversarialFigure.Classify(model, Png.Load(Path.Combine(s.Out!, files["adversarial"]), p.AdversarialImage.Channels));
            var panel = p with { Saved = saved, Files = files };
            var written1 = FigureWriter.Write(AdversarialPanelFigure.Build(panel), Path.Combine(s.Out!, $"panel-{stem}"), figures);
            files["panel"] = Path.GetFileName(written1.Preferred);
            if (written1 is { Svg: not null, Png: { } png }) files["panel_png"] = Path.GetFileName(png);
            written.Add(panel);
        }
        var figure = new FigureFile(info.Architecture, Path.GetFullPath(s.Model!), datasetName, s.Attack, s.Eps,
            options.Criterion.Describe(), mostConfident ? "most-confident" : "first-correct", written);
        Json.WriteFile(Path.Combine(s.Out!, "figure.json"), figure);

        var t = new Table().Border(TableBorder.Simple).AddColumns("test #", "true", "clean", "adversarial", "8-bit rounded", "saved PNG", "linf");
        foreach (var p in written)
            t.AddRow($"{p.Index}", Markup.Escape(p.TrueLabel), Markup.Escape(Show(p.Clean)), Markup.Escape(Show(p.Adversarial)),
                Markup.Escape(Show(p.Rounded8Bit)), Markup.Escape(Show(p.Saved!)), $"{p.Linf:F4}");
        AnsiConsole.Write(t);
        int flipped = written.Count(p => p.Success), undone = written.Count(p => p.Success && p.Rounded8Bit.Class == p.Clean.Class);
        AnsiConsole.MarkupLine($"{flipped}/{written.Count} examples flipped by {Markup.Escape(s.Attack)} at eps {s.Eps.ToString(CultureInfo.InvariantCulture)}" +
                               (undone > 0 ? $"; [yellow]8-bit rounding undoes {undone}[/] (the 16-bit files keep the attack)" : ""));
        AnsiConsole.MarkupLine($"figure: {Markup.Escape(Path.GetFullPath(s.Out!))}");
        return CliHost.Ok;
    }

    private static string Show(Prediction p) => AdversarialPanelFigure.Show(p);

    private static (int Count, bool MostConfident) ParseExamples(string text)
    {
        var t = text.Trim().ToLowerInvariant();
        if (t.StartsWith("most-confident", StringComparison.Ordinal))
        {
            var rest = t["most-confident".Length..];
            if (rest.Length == 0) return (1, true);
            if (rest[0] == ':' && int.TryParse(rest[1..], out var k) && k > 0) return (k, true);
        }
        else if (int.TryParse(t, out var n) && n > 0) return (n, false);
        throw new UsageException($"--examples expects a positive number, most-confident or most-confident:N, got '{text}'");
    }

    private sealed record FigureFile(string Architecture, string Model, string Dataset, string Attack, double Eps, string Criterion, string Selection,
        IReadOnlyList<AdversarialPanel> Panels);
}
