using RobustnessLab.Core;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>
/// The two figure options of every command that writes figures: <c>--figure-format svg,png</c> (default both) and
/// <c>--figure-scale S</c> (PNG pixels per CSS pixel, default 2). Each command declares the two properties with
/// <see cref="FormatOption"/> and <see cref="ScaleOption"/>; the defaults live in <see cref="FigureOutput"/>.
/// </summary>
public interface IFigureSettings
{
    public const string FormatOption = "--figure-format <LIST>", ScaleOption = "--figure-scale <S>";
    public const string FormatHelp = "figure files: svg, png or svg,png (default svg,png)";
    public const string ScaleHelp = "PNG figures at S times their size (default 2)";

    string? FigureFormat { get; }
    double? FigureScale { get; }

    /// <summary>The figure output these options ask for; a bad value is a usage error naming the option.</summary>
    public FigureOutput Figures()
    {
        try { return FigureOutput.Parse(FigureFormat, FigureScale); }
        catch (LabException e) { throw new UsageException($"--figure-format/--figure-scale: {e.Message}"); }
    }
}
