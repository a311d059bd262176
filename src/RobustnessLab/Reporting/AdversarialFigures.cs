using RobustnessLab.Core;
using RobustnessLab.Evaluation;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// Writes an adversarial figure's files: per panel the clean and adversarial images as exact 16-bit PNGs and the
/// panel as a figure (<see cref="AdversarialPanelFigure"/>, SVG and/or PNG as <see cref="FigureOutput"/> asks). The
/// adversarial file is read back and must hold exactly the image the panel's "saved" prediction was made on. The one
/// writer of <c>lab attack</c> and the <c>figures:</c> stage.
/// </summary>
public static class AdversarialFigures
{
    public const string JsonFile = "figure.json";

    /// <summary>
    /// Writes the panels' files into <paramref name="folder"/> (names start with <paramref name="prefix"/>); returns the
    /// report with each panel's files (relative to the folder) filled in: <c>panel</c> is the SVG where one is written
    /// (what a page shows), <c>panel_png</c> the PNG beside it.
    /// </summary>
    public static AdversarialFigureReport Write(AdversarialFigureReport report, string folder, string prefix = "", FigureOutput? figures = null)
    {
        figures ??= FigureOutput.Default;
        figures.Validate();
        AtomicFile.EnsureWritableDirectory(folder);
        var written = new List<AdversarialPanel>();
        foreach (var p in report.Panels)
        {
            string stem = $"{prefix}{p.Index:D5}";
            var files = new Dictionary<string, string>
            {
                ["clean"] = $"{stem}-clean.png",
                ["adversarial"] = $"{stem}-adversarial.png",
            };
            Png.SaveExact(p.CleanImage, Path.Combine(folder, files["clean"]));
            var advPath = Path.Combine(folder, files["adversarial"]);
            Png.SaveExact(p.AdversarialImage, advPath);
            var back = Png.Load(advPath, p.AdversarialImage.Channels);
            for (int i = 0; i < back.Pixels.Length; i++)
                if (Math.Abs(back.Pixels[i] - p.AdversarialImage.Pixels[i]) > 0.5 / 65535 + 1e-6)
                    throw new LabException($"{advPath}: the written PNG does not hold the 16-bit image its prediction was made on (pixel {i})");
            var panel = FigureWriter.Write(AdversarialPanelFigure.Build(p), Path.Combine(folder, $"{stem}-panel"), figures);
            files["panel"] = Path.GetFileName(panel.Preferred);
            if (panel is { Svg: not null, Png: { } png }) files["panel_png"] = Path.GetFileName(png);
            written.Add(p with { Files = files });
        }
        return report with { Panels = written };
    }
}
