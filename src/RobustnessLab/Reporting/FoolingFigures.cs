using System.Globalization;
using System.Text;
using RobustnessLab.Core;
using RobustnessLab.Fooling;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// Writes a fooling run's outputs to a folder: fooling.json, champions.svg/.png (the champions enlarged without
/// smoothing, labelled with class and confidence), curve.svg/.png (confidence over generations on a "nines" axis) with
/// its data in curve.csv, and every champion at model resolution as a 16-bit PNG under champions/ (lossless for
/// re-evaluation).
/// </summary>
public static class FoolingFigures
{
    public const string JsonFile = "fooling.json";
    public const string GridStem = "champions";
    public const string CurveStem = "curve";
    public const string CurveCsvFile = "curve.csv";
    public const string ChampionFolder = "champions";

    /// <summary>
    /// Writes everything (the figures as <paramref name="figures"/> asks; <paramref name="scale"/> enlarges the champions
    /// in the grid); returns the report with each class's image file and the figure files filled in.
    /// </summary>
    public static FoolingReport WriteAll(FoolingReport report, string folder, int scale = 4, FigureOutput? figures = null)
    {
        AtomicFile.EnsureWritableDirectory(folder);
        var dir = Path.Combine(folder, ChampionFolder);
        AtomicFile.EnsureWritableDirectory(dir);
        var rows = new List<FoolingClassReport>();
        foreach (var row in report.Classes)
        {
            var name = $"{row.ClassIndex:D2}-{Slug(row.ClassName)}.png";
            Png.SaveExact(row.Image, Path.Combine(dir, name));
            rows.Add(row with { ImageFile = ChampionFolder + "/" + name });
        }
        report = report with { Classes = rows };
        var grid = FigureWriter.Write(ChampionGrid(report, scale), Path.Combine(folder, GridStem), figures);
        var curve = FigureWriter.Write(CurveChart(report), Path.Combine(folder, CurveStem), figures);
        AtomicFile.WriteAllText(Path.Combine(folder, CurveCsvFile), CurveCsv(report));
        report = report with
        {
            Figures = new Dictionary<string, string>
            {
                ["champions"] = Path.GetFileName(grid.Preferred),
                ["curve"] = Path.GetFileName(curve.Preferred),
            },
        };
        Json.WriteFile(Path.Combine(folder, JsonFile), report);
        return report;
    }

    /// <summary>The champions in a grid (up to 5 per row), each labelled with its class and confidence.</summary>
    public static Figure ChampionGrid(FoolingReport report, int scale = 4)
    {
        var rows = report.Classes;
        string title = $"{report.Method} fooling, {report.Architecture}: {report.Generations} {(report.Method == "gradient" ? "steps" : "generations")}" +
                       (report.Cancelled ? " (stopped early)" : "");
        if (rows.Count == 0) return new Figure(FigureFont.Measure(title, FigureStyle.Title, true) + 24, 40, title, [new FigureText(title, 12, 26, FigureStyle.Title, Bold: true)]);
        double w = rows[0].Image.Width * scale, h = rows[0].Image.Height * scale;
        int cols = Math.Min(5, rows.Count), lines = rows.Any(r => r.TransferConfidence is not null) ? 3 : 2;
        const double pad = 12, line = 16, titleH = 36;
        double cellW = Math.Max(w, 112) + pad, cellH = h + 8 + lines * line + pad;
        double width = Math.Max(pad + cols * cellW, FigureFont.Measure(title, FigureStyle.Title, true) + 2 * pad);
        var e = new List<FigureElement> { new FigureText(title, pad, 24, FigureStyle.Title, Bold: true) };
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            double x = pad + i % cols * cellW, y = titleH + i / cols * cellH;
            e.Add(new FigureRaster(r.Image, x, y, r.Image.Width * scale, r.Image.Height * scale, FigureStyle.Frame));
            var (name, size) = ContactSheet.Caption(r.ClassName, cellW - pad);
            e.Add(new FigureText(name, x, y + h + 4 + line - 3, size));
            e.Add(new FigureText($"p = {FormatConfidence(r.Confidence)}", x, y + h + 4 + 2 * line - 3, FigureStyle.Small,
                Colour: r.Confidence >= 0.99 ? FigureStyle.Correct : FigureStyle.Wrong, Bold: true));
            if (r.TransferConfidence is { } t)
                e.Add(new FigureText($"2nd model: {FormatConfidence(t)}", x, y + h + 4 + 3 * line - 3, FigureStyle.Small - 1, Colour: FigureStyle.Muted));
        }
        return new Figure(Math.Ceiling(width), Math.Ceiling(titleH + (rows.Count + cols - 1) / cols * cellH), title, e)
        {
            Description = string.Join("; ", rows.Select(r => $"{r.ClassName}: p = {FormatConfidence(r.Confidence)}")),
        };
    }

    /// <summary>
    /// Best confidence per class against generations, on a "nines" scale (-log10(1 - p): 2 is 0.99, 4 is 0.9999),
    /// which is where fooling runs differ; a linear probability axis would show flat lines at 1. Drawn like the
    /// gallery's robustness curves.
    /// </summary>
    public static Figure CurveChart(FoolingReport report)
    {
        const double W = 700, H = 400, left = 78, right = 150, top = 36, bottom = 52;
        double pw = W - left - right, ph = H - top - bottom;
        var curve = report.Curve;
        double lastIter = Math.Max(1, curve.Count > 0 ? curve[^1].Iteration : 1);
        double maxNines = curve.Count == 0 ? 4 : curve.SelectMany(p => p.LogOdds).Select(Nines).Where(double.IsFinite).DefaultIfEmpty(4).Max();
        double yMax = Math.Clamp(Math.Ceiling(maxNines + 0.25), 4, 8);
        double X(double it) => left + it / lastIter * pw;
        double Y(double nines) => top + ph - Math.Clamp(nines, 0, yMax) / yMax * ph;
        string unit = report.Method == "gradient" ? "step" : "generation";
        string title = $"Best confidence per class ({report.Method}, {report.Architecture})";
        var e = new List<FigureElement> { new FigureText(title, left, 22, FigureStyle.Body + 1, Bold: true) };
        for (int k = 0; k <= (int)yMax; k++)
        {
            e.Add(new FigureLine(left, Y(k), left + pw, Y(k), FigureStyle.Grid));
            string label = k == 0 ? "0" : k <= 5 ? "0." + new string('9', k) : $"1 − 10{Superscript(-k)}";
            e.Add(new FigureText(label, left - 6, Y(k) + 4, FigureStyle.Tick, TextAnchor.End));
        }
        foreach (var it in SvgChart.Ticks(0, lastIter).Where(t => t <= lastIter + 1e-9))
        {
            e.Add(new FigureLine(X(it), top + ph, X(it), top + ph + 5, FigureStyle.Axis));
            e.Add(new FigureText(it.ToString("0.##", CultureInfo.InvariantCulture), X(it), top + ph + 19, FigureStyle.Tick, TextAnchor.Middle));
        }
        e.Add(new FigureLine(left, top + ph, left + pw, top + ph, FigureStyle.Axis));
        e.Add(new FigureLine(left, top, left, top + ph, FigureStyle.Axis));
        e.Add(new FigureText(unit, left + pw / 2, H - 10, FigureStyle.Body, TextAnchor.Middle));
        e.Add(new FigureText("best confidence p (axis: −log₁₀(1 − p))", 18, top + ph / 2, FigureStyle.Body, TextAnchor.Middle, Math: true, Rotate: -90));
        for (int c = 0; c < report.Classes.Count; c++)
        {
            string colour = FigureStyle.Palette[c % FigureStyle.Palette.Count];
            bool dashed = c >= FigureStyle.Palette.Count;
            e.Add(new FigurePolyline(curve.Select(p => (X(p.Iteration), Y(Nines(p.LogOdds[c])))).ToList(), colour, 1.8, dashed));
            double ly = top + 8 + c * 19;
            e.Add(new FigureLine(left + pw + 12, ly, left + pw + 32, ly, colour, 2.5, dashed));
            e.Add(new FigureText(FigureFont.Fit(report.Classes[c].ClassName, right - 44, FigureStyle.Small), left + pw + 38, ly + 4, FigureStyle.Small));
        }
        return new Figure(W, H, title, e)
        {
            Description = $"Confidence of the best image per class over {lastIter} {unit}s: " +
                          string.Join("; ", report.Classes.Select(r => $"{r.ClassName} {FormatConfidence(r.Confidence)}")),
        };
    }

    private static string Superscript(int n) => string.Concat(n.ToString(CultureInfo.InvariantCulture).Select(ch => ch switch
    {
        '-' => '⁻',
        '0' => '⁰',
        '1' => '¹',
        '2' => '²',
        '3' => '³',
        '4' => '⁴',
        '5' => '⁵',
        '6' => '⁶',
        '7' => '⁷',
        '8' => '⁸',
        _ => '⁹',
    }));

    /// <summary>The curve as CSV: iteration, seconds, then one confidence column per class.</summary>
    public static string CurveCsv(FoolingReport report)
    {
        var sb = new StringBuilder("iteration,seconds");
        foreach (var r in report.Classes) sb.Append(',').Append(Csv(r.ClassName));
        sb.Append('\n');
        foreach (var p in report.Curve)
        {
            sb.Append(p.Iteration.ToString(CultureInfo.InvariantCulture)).Append(',').Append(p.Seconds.ToString("F3", CultureInfo.InvariantCulture));
            foreach (var v in p.Confidence) sb.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
            sb.Append('\n');
        }
        return sb.ToString();
    }

    /// <summary>-log10(1 - p) from log-odds l, without cancellation: log10(1 + e^l).</summary>
    public static double Nines(double logOdds) =>
        double.IsNegativeInfinity(logOdds) ? 0 : (logOdds > 30 ? logOdds : Math.Log(1 + Math.Exp(logOdds))) / Math.Log(10);

    /// <summary>
    /// A probability with two decimals more than it has leading nines, truncated (never rounded up into another nine,
    /// so 0.99988 does not print as 0.9999) and without trailing zeros: 0.50, 0.991, 0.99988, 0.9999999.
    /// </summary>
    public static string FormatConfidence(double p)
    {
        if (double.IsNaN(p)) return "NaN";
        if (p >= 1) return "1";
        int nines = Math.Clamp((int)Math.Floor(-Math.Log10(1 - p)), 0, 8);
        int decimals = Math.Max(2, nines + 2);
        double scale = Math.Pow(10, decimals);
        var text = (Math.Floor(p * scale) / scale).ToString("F" + decimals, CultureInfo.InvariantCulture);
        int dot = text.IndexOf('.');
        int keep = text.Length;
        while (keep > dot + 3 && text[keep - 1] == '0') keep--;
        return text[..keep];
    }

    private static string Slug(string name)
    {
        var sb = new StringBuilder();
        foreach (char ch in name.ToLowerInvariant()) sb.Append(char.IsLetterOrDigit(ch) ? ch : '-');
        return sb.ToString().Trim('-');
    }

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
