using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab predict`: a thin adapter over <see cref="ImagePrediction"/>.</summary>
public sealed class PredictCommand : LabCommand<PredictCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandOption("-m|--model <DIR>")]
        [Description("checkpoint folder (required)")]
        public string? Model { get; set; }

        [CommandOption("--image <FILE>")]
        [Description("PNG, JPEG, BMP or WebP of any size (preprocessed as model.json records)")]
        public string? Image { get; set; }

        [CommandOption("--top <N>")]
        [Description("classes to list")]
        [DefaultValue(5)]
        public int Top { get; set; } = 5;

        [CommandOption("--json <FILE>")]
        [Description("also write logits, probabilities (class order) and the top list as JSON")]
        public string? JsonOut { get; set; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model DIR is required")
            : string.IsNullOrWhiteSpace(Image) ? ValidationResult.Error("--image FILE is required")
            : Top < 1 ? ValidationResult.Error($"--top must be >= 1, got {Top}")
            : ValidationResult.Success();
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var options = new PredictOptions { ImagePath = s.Image!, Top = s.Top };
        var ctx = CreateContext(s);
        var (model, info) = Checkpoint.Load(s.Model!, ctx.Device);
        using var _ = model;
        var r = ImagePrediction.Run(model, info.Preprocess, options);
        var t = new Table().Border(TableBorder.Simple).AddColumns("class", "probability");
        foreach (var c in r.Top) t.AddRow(Markup.Escape(c.Class), $"{c.Probability:F4}");
        AnsiConsole.Write(t);
        if (s.JsonOut is not null) Json.WriteFile(s.JsonOut, r);
        return CliHost.Ok;
    }
}
