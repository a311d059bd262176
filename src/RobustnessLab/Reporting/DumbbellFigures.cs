using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Dumbbell;
using RobustnessLab.FeatureVis;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// Writes a dumbbell experiment's record to a folder: the class visualisations of both models side by side, the
/// dumbbell visualisations with their arm scores (each as SVG and PNG), and dumbbell.json. The one writer of <c>lab dumbbell</c> and the
/// <c>dumbbell:</c> stage.
/// </summary>
public static class DumbbellFigures
{
    public const string ReportFile = "dumbbell.json";
    public const string ClassSheetStem = "class-visualizations";
    public const string DumbbellSheetStem = "dumbbell";

    /// <summary>
    /// Writes everything; returns the record with <see cref="DumbbellReport.Files"/> completed (paths relative to
    /// <paramref name="folder"/>, as in the dumbbell.json written there).
    /// </summary>
    public static DumbbellReport Write(DumbbellReport report, string folder, FigureOutput? figures = null)
    {
        AtomicFile.EnsureWritableDirectory(folder);
        var files = new Dictionary<string, string>(report.Files);
        var o = report.Options;
        var visB = report.Biased.Visualizations;
        var visD = report.Debiased.Visualizations;
        // Pictures may be drawn larger than the models' input (DumbbellOptions.VisImageSize).
        int picture = visB.Count > 0 && visB[0].Images.Count > 0 ? visB[0].Images[0].Height : o.Size;
        int scale = Math.Max(1, 128 / picture);
        Figure Sheet(string title, IReadOnlyList<VisualizationResult> vis)
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
            Add("class_visualizations", FigureWriter.Write(ContactSheet.SideBySide([Sheet("biased model", visB), Sheet("debiased model", visD)], 24),
                Path.Combine(folder, ClassSheetStem), figures));

            int d = GymScenes.DumbbellIndex;
            int columns = visB[d].Images.Count;
            var dumb = new List<ImageData>();
            var caps = new List<string>();
            // A row of real renders at the pictures' size for comparison: dumbbells held by an arm, then lying alone.
            long renderSeed = (long)LabContext.DeriveSeed(o.Seed, 0x5EE);
            for (int i = 0; i < columns; i++)
            {
                bool held = i < (columns + 1) / 2;
                var r = GymRenderer.Render(new GymSceneRequest(picture, d, held, (long)LabContext.DeriveSeed(renderSeed, i)));
                dumb.Add(new ImageData(3, picture, picture, r.Pixels));
                caps.Add(held ? "render: held" : "render: alone");
            }
            foreach (var (name, vis, r) in new[] { ("biased", visB, report.Biased), ("debiased", visD, report.Debiased) })
                for (int i = 0; i < vis[d].Images.Count; i++)
                {
                    dumb.Add(vis[d].Images[i]);
                    string score = r.JudgeArmScore is { } js && js.Values.Count > i ? $"judge arm={js.Values[i]:F2}"
                        : r.ArmScoreDetector is { } det ? $"arm={det.Values[i]:F2}" : $"p={vis[d].ClassProbabilities[i][d]:F2}";
                    caps.Add(i == 0 ? $"{name} {score}" : score);
                }
            Add("dumbbell_sheet", FigureWriter.Write(ContactSheet.Draw(dumb, columns, Math.Max(2, 192 / picture), caps, "real renders, then what each model draws for 'dumbbell'"),
                Path.Combine(folder, DumbbellSheetStem), figures));
        }
        files["report"] = ReportFile;
        report = report with { Files = files };
        Json.WriteFile(Path.Combine(folder, ReportFile), report);
        return report;

        // The SVG where written (pages show it) under KEY, the PNG beside it under KEY_png; names relative to the folder.
        void Add(string key, FigureFiles written)
        {
            files[key] = Path.GetFileName(written.Preferred);
            if (written is { Svg: not null, Png: { } png }) files[key + "_png"] = Path.GetFileName(png);
        }
    }
}
