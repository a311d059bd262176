using RobustnessLab.Core;
using RobustnessLab.FeatureVis;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// Draws a <see cref="VisualizeReport"/> as one contact sheet: a row per objective, a column per image (and per kept
/// snapshot, when the optimisation kept any), each captioned with the model's probability of the class. The one writer
/// of <c>lab visualize</c> and the <c>visualize:</c> stage.
/// </summary>
public static class VisualizationSheets
{
    /// <summary>
    /// Writes the sheet as <paramref name="stem"/>.svg and/or .png (as <paramref name="figures"/> asks; a stem given with
    /// .svg or .png is taken without it); returns the report with every entry's sheet set to the file a page shows (the
    /// SVG where there is one), relative to <paramref name="relativeTo"/> (default: the sheet's own folder).
    /// </summary>
    public static VisualizeReport Write(VisualizeReport report, string stem, string? title = null, FigureOutput? figures = null, string? relativeTo = null)
    {
        var images = new List<ImageData>();
        var captions = new List<string>();
        int columns = 1;
        for (int i = 0; i < report.Results.Count; i++)
        {
            var r = report.Results[i];
            var e = report.Entries[i];
            columns = r.Snapshots.Count * r.Images.Count;
            // Snapshot by snapshot for each seed: a row reads as the optimisation going on, seed after seed.
            for (int j = 0; j < r.Images.Count; j++)
                foreach (var snap in r.Snapshots)
                {
                    images.Add(snap.Images[j]);
                    bool last = snap.Step == r.Steps;
                    string label = e.Class ?? e.Objective;
                    string p = e.ClassProbability is { } probs && last ? $"p={probs[j]:F2}" : "";
                    string step = r.Snapshots.Count > 1 ? $"@{snap.Step} " : "";
                    captions.Add(((j == 0 && snap == r.Snapshots[0] ? label + " " : "") + step + p).Trim());
                }
        }
        if (images.Count == 0) throw new LabException("nothing to draw: the visualisation has no images");
        int scale = Math.Max(2, 96 / Math.Max(images[0].Height, images[0].Width));
        var sheet = ContactSheet.Draw(images, columns, scale, captions, title ?? report.Model);
        stem = Path.GetFullPath(FigureWriter.Stem(stem));
        var written = FigureWriter.Write(sheet, stem, figures);
        string name = Path.GetRelativePath(relativeTo ?? Path.GetDirectoryName(stem)!, written.Preferred).Replace('\\', '/');
        return report with { Entries = report.Entries.Select(e => e with { Sheet = name }).ToList() };
    }
}
