using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab data preview gym`: a grid figure (SVG and PNG) of the first renders of a dataset, so a person can look at the data.</summary>
public sealed class DataPreviewCommand : LabCommand<DataPreviewCommand.Settings>
{
    public sealed class Settings : LabSettings, IFigureSettings
    {
        [CommandOption(IFigureSettings.FormatOption)][Description(IFigureSettings.FormatHelp)] public string? FigureFormat { get; set; }
        [CommandOption(IFigureSettings.ScaleOption)][Description(IFigureSettings.ScaleHelp)] public double? FigureScale { get; set; }

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
        [Description("grid to write: FILE.svg and FILE.png (a name ending in .svg or .png is taken without it)")]
        [DefaultValue("gym-preview")]
        public string Out { get; set; } = "gym-preview";

        [CommandOption("--seed <N>")][DefaultValue(0)] public int Seed { get; set; }

        [CommandOption("--size <PX>")][Description("image side in pixels")][DefaultValue(64)] public int Size { get; set; } = 64;

        [CommandOption("--masks")]
        [Description("show each render's object (blue) and arm (orange) masks beside it")]
        public bool Masks { get; set; }

        [CommandOption("--parts")]
        [Description("show each render beside the same scene without the part its object is named by (the dumbbell experiment's object-part probe)")]
        public bool Parts { get; set; }

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
        GymOptions options = new();
        UsageException.Wrap(() => options = GymOptions.From(new Data.DataOptions(Options: dict)));
        IFigureSettings.FigureOutputName(s.Out);
        var sheet = GymPreview.Draw(options, s.Samples, s.Seed, s.Masks, parts: s.Parts);
        var written = FigureWriter.Write(sheet, FigureWriter.Stem(s.Out), ((IFigureSettings)s).Figures());
        AnsiConsole.MarkupLine($"wrote {Markup.Escape(string.Join(", ", written.All.Select(Path.GetFullPath)))} ({s.Samples} renders)");
        return CliHost.Ok;
    }
}
