using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Dumbbell;
using RobustnessLab.FeatureVis;

namespace RobustnessLab.Reporting;

/// <summary>
/// Writes a dumbbell experiment's record to a folder: the class visualisations of both models side by side, the
/// dumbbell visualisations with their arm scores, and dumbbell.json. The one writer of <c>lab dumbbell</c> and the
/// <c>dumbbell:</c> stage.
/// </summary>
public static class DumbbellFigures
{
    public const string ReportFile = "dumbbell.json";
    public const string ClassSheetFile = "class-visualizations.png";
    public const string DumbbellSheetFile = "dumbbell.png";

    /// <summary>
    /// Writes everything; returns the record with <see cref="DumbbellReport.Files"/> completed (paths relative to
    /// <paramref name="folder"/>, as in the dumbbell.json written there).
    /// </summary>
    public static DumbbellReport Write(DumbbellReport report, string folder)
    {
        AtomicFile.EnsureWritableDirectory(folder);
        var files = new Dictionary<string, string>(report.Files);
        var o = report.Options;
        int scale = Math.Max(2, 128 / o.Size);
        var visB = report.Biased.Visualizations;
        var visD = report.Debiased.Visualizations;
        ImageCanvas Sheet(string title, IReadOnlyList<VisualizationResult> vis)
        {
            var images = new List<ImageData>();
            var captions = new List<string>();
            for (int c = 0; c < vis.Count; c++)
                for (int i = 0; i < vis[c].Images.Count; i++)
                {
                    images.Add(vis[c].Images[i]);
                    captions.Add(i == 0 ? $"{GymScenes.ClassNames[c]} p={vis[c].ClassProbabilities[i][c]:F2}" : $"p={vis[c].ClassProbabilities[i][c]:F2}");
                }
            return ContactSheet.Draw(images, vis[0].Images.Count, scale, captions, title);
        }
        if (visB.Count > 0 && visD.Count > 0)
        {
            ContactSheet.SideBySide([Sheet("biased model", visB), Sheet("debiased model", visD)], 24).SavePng(Path.Combine(folder, ClassSheetFile));
            files["class_visualizations"] = ClassSheetFile;

            int d = GymScenes.DumbbellIndex;
            var dumb = new List<ImageData>();
            var caps = new List<string>();
            foreach (var (name, vis, r) in new[] { ("biased", visB, report.Biased), ("debiased", visD, report.Debiased) })
                for (int i = 0; i < vis[d].Images.Count; i++)
                {
                    dumb.Add(vis[d].Images[i]);
                    caps.Add(i == 0 ? $"{name} arm={r.ArmScoreDetector.Values[i]:F2}" : $"arm={r.ArmScoreDetector.Values[i]:F2}");
                }
            ContactSheet.Draw(dumb, visB[d].Images.Count, Math.Max(3, 192 / o.Size), caps, "what each model draws for 'dumbbell'")
                .SavePng(Path.Combine(folder, DumbbellSheetFile));
            files["dumbbell_sheet"] = DumbbellSheetFile;
        }
        files["report"] = ReportFile;
        report = report with { Files = files };
        Json.WriteFile(Path.Combine(folder, ReportFile), report);
        return report;
    }
}
