using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

public sealed class EvalCommand : LabCommand<EvalCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandOption("-m|--model <DIR>")]
        [Description("checkpoint folder (required)")]
        public string? Model { get; set; }

        [CommandOption("--dataset <NAME>")]
        [Description("dataset (default: the one the model was trained on)")]
        public string? Dataset { get; set; }

        [CommandOption("-n|--samples <N>")]
        [Description("evaluate the first N test rows (0: all)")]
        [DefaultValue(0)]
        public int N { get; set; }

        [CommandOption("--json <FILE>")]
        [Description("also write the report as JSON")]
        public string? JsonOut { get; set; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model DIR is required") : ValidationResult.Success();
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        if (s.N < 0) throw new UsageException($"--n must be >= 0, got {s.N}");
        var ctx = CreateContext(s);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        var name = s.Dataset ?? info.Dataset ?? FashionMnist.Name;
        using var data = DatasetRegistry.LoadForModel(name, new DataOptions(s.DataDir, Seed: info.DataSeed), info, ctx.Device);
        if (data.Channels != info.InputShape[0] || data.Height != info.InputShape[1] || data.Width != info.InputShape[2])
            throw new LabException($"model input shape {string.Join("x", info.InputShape)} does not match dataset '{name}' ({data.Channels}x{data.Height}x{data.Width})");
        if (s.N > data.Test.Count) Warn($"--n {s.N} is more than the {data.Test.Count} test images of '{name}'; evaluating all {data.Test.Count}");
        var report = Accuracy.EvaluateChecked(model, data.Test, limit: s.N);
        var t = new Table().Border(TableBorder.Simple).AddColumns("class", "accuracy", "count");
        int absent = 0;
        for (int c = 0; c < report.ClassNames.Count; c++)
        {
            int count = report.Confusion[c].Sum();
            // A 1,000-class model on a folder of a few classes: list the classes the images have, not 990 empty rows.
            if (count == 0) { absent++; continue; }
            t.AddRow(Markup.Escape(report.ClassNames[c]), $"{report.PerClassAccuracy[c]:F4}", $"{count}");
        }
        AnsiConsole.Write(t);
        if (absent > 0) AnsiConsole.MarkupLine($"({absent} of the model's {report.ClassNames.Count} classes have no images here and are not listed)");
        AnsiConsole.MarkupLine($"{Markup.Escape(info.Architecture)} on {Markup.Escape(name)} test ({report.Count:N0} images): accuracy [bold]{report.Accuracy:F4}[/], mean loss {report.MeanLoss:F4}");
        if (SanityFlags.ChanceLevel(report.Accuracy, report.ClassNames.Count) is { } atChance) Warn(atChance);
        if (s.JsonOut is not null) Json.WriteFile(s.JsonOut, report);
        return CliHost.Ok;
    }
}
