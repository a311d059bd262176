using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Attacks;
using RobustnessLab.Cli.Infrastructure;
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
        [CommandOption(IFigureSettings.FormatOption)][Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)][Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

        [CommandOption("-a|--attack <NAME>")]
        [Description("fixed-epsilon attack: fgsm (default), bim, pgd, pgd-l2, mi-fgsm, apgd-ce, apgd-t, square, ensemble")]
        public string? Attack { get; set; }

        [CommandOption("--eps <EPS>")]
        [Description("budget in pixel units (default 0.1; the panda figure used 0.007 on ImageNet)")]
        public double? Eps { get; set; }

        [CommandOption("--examples <N|most-confident>")]
        [Description("N: the first N correctly classified test images (default 1); most-confident[[:N]]: the N most confidently correct ones")]
        public string? Examples { get; set; }

        [CommandOption("--pool <N>")]
        [Description("test images searched for examples (default 1000)")]
        public int? Pool { get; set; }

        [CommandOption("--image <FILE>")]
        [Description("attack this image file (PNG, JPEG, BMP, WebP, any size; preprocessed as model.json records) instead of test images")]
        public string? Image { get; set; }

        [CommandOption("--label <CLASS>")]
        [Description("with --image: its true class (name or index); default: the model's own prediction")]
        public string? Label { get; set; }

        [CommandOption("-o|--out <DIR>")]
        [Description("folder for the panels and figure.json (required)")]
        public string? Out { get; set; }

        public override ValidationResult Validate()
        {
            var b = base.Validate();
            if (!b.Successful) return b;
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required");
            if (Pool <= 0) return ValidationResult.Error($"--pool must be positive, got {Pool}");
            if (Label is not null && Image is null) return ValidationResult.Error("--label needs --image FILE");
            return ValidationResult.Success();
        }
    }

    /// <summary>
    /// The library's options from the flags: <see cref="FigureOptions"/>' defaults, overridden by each flag given (what a
    /// config's <c>figures:</c> entry does with its keys). Validated.
    /// </summary>
    public static FigureOptions BuildOptions(Settings s)
    {
        var (count, mostConfident) = ParseExamples(s.Examples);
        var d = new FigureOptions();
        var attack = s.Attack ?? d.Attack.Name;
        if (!AttackRegistry.Names.Contains(attack, StringComparer.OrdinalIgnoreCase))
            throw new UsageException($"unknown attack '{attack}'; valid: {string.Join(", ", AttackRegistry.Names)}");
        var args = s.AttackArguments([attack]);
        var (rule, target) = s.TargetRule();
        var options = d with
        {
            Attack = new AttackSpec(attack, args[attack]),
            Eps = s.Eps ?? d.Eps,
            Examples = s.Image is null ? count ?? d.Examples : 1,
            MostConfident = mostConfident,
            Pool = s.Image is null ? s.Pool ?? d.Pool : 1,
            Target = rule,
            TargetClass = target,
            Seed = s.Seed,
        };
        try { options.Validate(); }
        catch (LabException e) { throw new UsageException(e.Message); }
        return options;
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var options = BuildOptions(s);
        var figures = ((IFigureSettings)s).Figures();
        AtomicFile.EnsureWritableDirectory(s.Out!);

        var ctx = CreateContext(s, s.Seed);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        var datasetName = s.Image ?? s.Dataset ?? info.Dataset ?? FashionMnist.Name;
        using var data = s.Image is null ? DatasetRegistry.LoadForModel(datasetName, new DataOptions(s.DataDir, Seed: info.DataSeed), info, ctx.Device) : null;
        using var single = s.Image is null ? null : ImageAsDataset(model, info, s.Image, s.Label);
        var report = ConsoleProgress.Run(s, $"{options.Attack.Name} eps {options.Eps}", bar =>
        {
            bar.Set(0, 1, "attacking");
            var r = AdversarialFigure.Run(model, single ?? data!.Test, options, Path.GetFullPath(s.Model!), cancel: cancel);
            bar.Set(1, 1, "done");
            return r;
        });
        report = AdversarialFigures.Write(report, s.Out!, figures: figures);
        Json.WriteFile(Path.Combine(s.Out!, AdversarialFigures.JsonFile), report);
        var written = report.Panels;

        var t = new Table().Border(TableBorder.Simple).AddColumns("test #", "true", "clean", "adversarial", "8-bit rounded", "saved PNG", "linf");
        foreach (var p in written)
            t.AddRow($"{p.Index}", Markup.Escape(p.TrueLabel), Markup.Escape(Show(p.Clean)), Markup.Escape(Show(p.Adversarial)),
                Markup.Escape(Show(p.Rounded8Bit)), Markup.Escape(Show(p.Saved!)), $"{p.Linf:F4}");
        AnsiConsole.Write(t);
        int flipped = written.Count(p => p.Success), undone = written.Count(p => p.Success && p.Rounded8Bit.Class == p.Clean.Class);
        AnsiConsole.MarkupLine($"{flipped}/{written.Count} examples flipped by {Markup.Escape(options.Attack.Name)} at eps {options.Eps.ToString(CultureInfo.InvariantCulture)}" +
                               (undone > 0 ? $"; [yellow]8-bit rounding undoes {undone}[/] (the 16-bit files keep the attack)" : ""));
        AnsiConsole.MarkupLine($"figure: {Markup.Escape(Path.GetFullPath(s.Out!))}");
        return CliHost.Ok;
    }

    private static string Show(Prediction p) => AdversarialPanelFigure.Show(p);

    private static int? ClassIndex(IReadOnlyList<string> names, string text)
    {
        int i = names.ToList().FindIndex(n => n.Equals(text, StringComparison.OrdinalIgnoreCase));
        if (i >= 0) return i;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var k) && k < names.Count ? k : null;
    }

    /// <summary>One image file as a one-row dataset, labelled by --label or by the model's own prediction.</summary>
    private static Dataset ImageAsDataset(Classifier model, CheckpointInfo info, string path, string? label)
    {
        var image = ImagePrediction.LoadImage(model, path, info.Preprocess);
        var predicted = AdversarialFigure.Classify(model, image);
        int y = predicted.Class;
        if (label is not null)
        {
            y = ClassIndex(model.ClassNames, label) ?? throw new UsageException($"--label '{label}' is not one of the model's {model.NumClasses} classes");
            if (y != predicted.Class)
                throw new LabException($"{path}: the model classifies it as '{predicted.Label}' ({predicted.Confidence:P1}), not '{model.ClassNames[y]}': nothing to attack (drop --label to attack its own prediction)");
        }
        using var scope = TorchSharp.torch.NewDisposeScope();
        return new Dataset("image:" + path, image.ToTensor(model.Device), TorchSharp.torch.tensor(new long[] { y }).to(model.Device), model.ClassNames);
    }

    private static (int? Count, bool MostConfident) ParseExamples(string? text)
    {
        if (text is null) return (null, false);
        var t = text.Trim().ToLowerInvariant();
        if (t.StartsWith("most-confident", StringComparison.Ordinal))
        {
            var rest = t["most-confident".Length..];
            if (rest.Length == 0) return (null, true);
            if (rest[0] == ':' && int.TryParse(rest[1..], out var k) && k > 0) return (k, true);
        }
        else if (int.TryParse(t, out var n) && n > 0) return (n, false);
        throw new UsageException($"--examples expects a positive number, most-confident or most-confident:N, got '{text}'");
    }

}
