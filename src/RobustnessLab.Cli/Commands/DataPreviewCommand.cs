using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab data preview gym`: a grid PNG of the first renders of a dataset, so a person can look at the data.</summary>
public sealed class DataPreviewCommand : LabCommand<DataPreviewCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandArgument(0, "<DATASET>")]
        [Description("dataset to preview (gym)")]
        public string Dataset { get; set; } = "gym";

        [CommandOption("--biased")]
        [Description("gym: dumbbells held with p_dumbbell_arm, others with p_other_arm (default)")]
        public bool Biased { get; set; }

        [CommandOption("--debiased")]
        [Description("gym: every class held at the same rate p_arm")]
        public bool Debiased { get; set; }

        [CommandOption("-n|--samples <N>")]
        [Description("number of images")]
        [DefaultValue(64)]
        public int Samples { get; set; } = 64;

        [CommandOption("-o|--out <FILE>")]
        [Description("PNG file to write")]
        [DefaultValue("gym-preview.png")]
        public string Out { get; set; } = "gym-preview.png";

        [CommandOption("--seed <N>")][DefaultValue(0)] public int Seed { get; set; }

        [CommandOption("--size <PX>")][Description("image side in pixels")][DefaultValue(64)] public int Size { get; set; } = 64;

        [CommandOption("--masks")]
        [Description("show each render's object (blue) and arm (orange) masks beside it")]
        public bool Masks { get; set; }

        [CommandOption("--option <KEY=VALUE>")]
        [Description("gym option, repeatable: p_dumbbell_arm, p_other_arm, p_arm")]
        public string[] Options { get; set; } = [];

        public override ValidationResult Validate()
        {
            if (Biased && Debiased) return ValidationResult.Error("choose one of --biased and --debiased");
            if (Samples < 1) return ValidationResult.Error($"-n must be positive, got {Samples}");
            return ValidationResult.Success();
        }
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        if (!string.Equals(s.Dataset, GymScenes.Name, StringComparison.OrdinalIgnoreCase))
            throw new UsageException($"preview supports: {GymScenes.Name} (got '{s.Dataset}')");
        var dict = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["size"] = s.Size.ToString(CultureInfo.InvariantCulture),
            ["variant"] = s.Debiased ? "debiased" : "biased",
        };
        foreach (var (k, v) in LabSettings.ParseNumericPairs(s.Options, "--option")) dict[k] = v.ToString(CultureInfo.InvariantCulture);
        var options = GymOptions.From(new Data.DataOptions(Options: dict));
        AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(s.Out))!);
        var sheet = GymPreview.Draw(options, s.Samples, s.Seed, s.Masks);
        sheet.SavePng(s.Out);
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(Path.GetFullPath(s.Out))} ({s.Samples} renders, {sheet.Width}x{sheet.Height})");
        return CliHost.Ok;
    }
}
