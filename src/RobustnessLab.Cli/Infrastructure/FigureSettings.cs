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

    /// <summary>
    /// Checks a figure's --out: a file name with no extension, .svg or .png (NAME.svg and NAME.png are written), in a
    /// folder that can be written.
    /// </summary>
    public static void FigureOutputName(string path, string option = "--out")
    {
        AtomicFile.RequireFileOutput(path, option);
        var ext = Path.GetExtension(path);
        if (ext.Length > 0 && !ext.Equals(".svg", StringComparison.OrdinalIgnoreCase) && !ext.Equals(".png", StringComparison.OrdinalIgnoreCase))
            throw new LabUsageException($"{option} '{path}': this writes a figure as NAME.svg and NAME.png, so the name must end in .svg or .png or have none, not {ext}");
    }

    /// <summary>The figure output these options ask for; a bad value is a usage error naming the option.</summary>
    public FigureOutput Figures()
    {
        try { return FigureOutput.Parse(FigureFormat, FigureScale); }
        catch (LabException e) { throw new UsageException($"--figure-format/--figure-scale: {e.Message}"); }
    }
}
