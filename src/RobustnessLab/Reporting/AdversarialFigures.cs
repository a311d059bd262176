using RobustnessLab.Core;
using RobustnessLab.Evaluation;

namespace RobustnessLab.Reporting;

/// <summary>
/// Writes an adversarial figure's files: per panel the clean and adversarial images as exact 16-bit PNGs and the
/// rendered panel. The adversarial file is read back and must hold exactly the image the panel's "saved" prediction was
/// made on. The one writer of <c>lab attack</c> and the <c>figures:</c> stage.
/// </summary>
public static class AdversarialFigures
{
    public const string JsonFile = "figure.json";

    /// <summary>
    /// Writes the panels' files into <paramref name="folder"/> (names start with <paramref name="prefix"/>); returns the
    /// report with each panel's files (relative to the folder) filled in.
    /// </summary>
    public static AdversarialFigureReport Write(AdversarialFigureReport report, string folder, string prefix = "")
    {
        AtomicFile.EnsureWritableDirectory(folder);
        var written = new List<AdversarialPanel>();
        foreach (var p in report.Panels)
        {
            string stem = $"{prefix}{p.Index:D5}";
            var files = new Dictionary<string, string>
            {
                ["clean"] = $"{stem}-clean.png",
                ["adversarial"] = $"{stem}-adversarial.png",
                ["panel"] = $"{stem}-panel.png",
            };
            Png.SaveExact(p.CleanImage, Path.Combine(folder, files["clean"]));
            var advPath = Path.Combine(folder, files["adversarial"]);
            Png.SaveExact(p.AdversarialImage, advPath);
            var back = Png.Load(advPath, p.AdversarialImage.Channels);
            for (int i = 0; i < back.Pixels.Length; i++)
                if (Math.Abs(back.Pixels[i] - p.AdversarialImage.Pixels[i]) > 0.5 / 65535 + 1e-6)
                    throw new LabException($"{advPath}: the written PNG does not hold the 16-bit image its prediction was made on (pixel {i})");
            var panel = p with { Files = files };
            AdversarialPanelImage.Render(panel).SavePng(Path.Combine(folder, files["panel"]));
            written.Add(panel);
        }
        return report with { Panels = written };
    }
}
