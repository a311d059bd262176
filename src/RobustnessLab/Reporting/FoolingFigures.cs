using System.Globalization;
using System.Text;
using RobustnessLab.Core;
using RobustnessLab.Fooling;

namespace RobustnessLab.Reporting;

/// <summary>
/// Writes a fooling run's outputs to a folder: fooling.json, champions.png (the champions upscaled without smoothing,
/// labelled with class and confidence), curve.png (confidence over generations on a "nines" axis) with its data in
/// curve.csv, and every champion at model resolution as a 16-bit PNG under champions/ (lossless for re-evaluation).
/// </summary>
public static class FoolingFigures
{
    public const string JsonFile = "fooling.json";
    public const string GridFile = "champions.png";
    public const string CurveFile = "curve.png";
    public const string CurveCsvFile = "curve.csv";
    public const string ChampionFolder = "champions";

    /// <summary>Ten distinguishable line colours (matplotlib's tab10), cycled beyond ten classes.</summary>
    private static readonly Rgb[] Palette =
    [
        new(31, 119, 180), new(255, 127, 14), new(44, 160, 44), new(214, 39, 40), new(148, 103, 189),
        new(140, 86, 75), new(227, 119, 194), new(127, 127, 127), new(188, 189, 34), new(23, 190, 207),
    ];

    /// <summary>Writes everything; returns the report with each class's image file filled in.</summary>
    public static FoolingReport WriteAll(FoolingReport report, string folder, int scale = 4)
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
        ChampionGrid(report, scale).SavePng(Path.Combine(folder, GridFile));
        CurveChart(report).SavePng(Path.Combine(folder, CurveFile));
        AtomicFile.WriteAllText(Path.Combine(folder, CurveCsvFile), CurveCsv(report));
        Json.WriteFile(Path.Combine(folder, JsonFile), report);
        return report;
    }

    /// <summary>The champions in a grid (up to 5 per row), each labelled with its class and confidence.</summary>
    public static ImageCanvas ChampionGrid(FoolingReport report, int scale = 4)
    {
        var rows = report.Classes;
        if (rows.Count == 0) return new ImageCanvas(1, 1);
        int w = rows[0].Image.Width * scale, h = rows[0].Image.Height * scale;
        int cols = Math.Min(5, rows.Count), lines = rows.Any(r => r.TransferConfidence is not null) ? 3 : 2;
        int pad = 8, labelH = lines * 10 + 4, titleH = 20;
        int cellW = Math.Max(w, 6 * 18) + pad, cellH = h + labelH + pad;
        var canvas = new ImageCanvas(pad + cols * cellW, titleH + pad + (rows.Count + cols - 1) / cols * cellH, Rgb.White);
        string title = $"{report.Method} fooling, {report.Architecture}: {report.Generations} {(report.Method == "gradient" ? "steps" : "generations")}" +
                       (report.Cancelled ? " (stopped early)" : "");
        canvas.DrawText(title, pad, 6, Rgb.Black);
        for (int i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            int x = pad + i % cols * cellW, y = titleH + pad + i / cols * cellH;
            canvas.Paste(r.Image, x, y, scale);
            canvas.Outline(x - 1, y - 1, w + 2, h + 2, Rgb.LightGrey);
            canvas.DrawText(Fit(r.ClassName, cellW - pad), x, y + h + 4, Rgb.Black);
            canvas.DrawText($"p={FormatConfidence(r.Confidence)}", x, y + h + 14, r.Confidence >= 0.99 ? Rgb.Green : Rgb.Red);
            if (r.TransferConfidence is { } t) canvas.DrawText($"2nd={FormatConfidence(t)}", x, y + h + 24, Rgb.Grey);
        }
        return canvas;
    }

    /// <summary>
    /// Best confidence per class against generations, on a "nines" scale (-log10(1 - p): 2 is 0.99, 4 is 0.9999),
    /// which is where fooling runs differ; a linear probability axis would show flat lines at 1.
    /// </summary>
    public static ImageCanvas CurveChart(FoolingReport report)
    {
        const int width = 760, height = 440, left = 56, right = 150, top = 30, bottom = 44;
        var canvas = new ImageCanvas(width, height, Rgb.White);
        var curve = report.Curve;
        int plotW = width - left - right, plotH = height - top - bottom;
        int lastIter = Math.Max(1, curve.Count > 0 ? curve[^1].Iteration : 1);
        double maxNines = curve.Count == 0 ? 4 : curve.SelectMany(p => p.LogOdds).Select(Nines).Where(double.IsFinite).DefaultIfEmpty(4).Max();
        double yMax = Math.Clamp(Math.Ceiling(maxNines + 0.25), 4, 8);
        int X(double it) => left + (int)Math.Round(it / lastIter * plotW);
        int Y(double nines) => top + plotH - (int)Math.Round(Math.Clamp(nines, 0, yMax) / yMax * plotH);

        canvas.DrawText($"best confidence per class ({report.Method}, {report.Architecture})", left, 8, Rgb.Black);
        for (int k = 0; k <= (int)yMax; k++)
        {
            int y = Y(k);
            for (int x = left; x <= left + plotW; x += 3) canvas.SetPixel(x, y, Rgb.LightGrey);
            string label = k == 0 ? "0" : k <= 4 ? "0." + new string('9', k) : $"1-1e-{k}";
            canvas.DrawText(label, left - ImageCanvas.TextWidth(label) - 4, y - 3, Rgb.Black);
        }
        int step = NiceStep(lastIter);
        for (int it = 0; it <= lastIter; it += step)
        {
            int x = X(it);
            canvas.Fill(x, top + plotH, 1, 4, Rgb.Black);
            canvas.DrawTextCentered(it.ToString(CultureInfo.InvariantCulture), x, top + plotH + 7, Rgb.Black);
        }
        canvas.Fill(left, top, 1, plotH + 1, Rgb.Black);
        canvas.Fill(left, top + plotH, plotW + 1, 1, Rgb.Black);
        canvas.DrawTextCentered(report.Method == "gradient" ? "step" : "generation", left + plotW / 2, height - 14, Rgb.Black);

        for (int c = 0; c < report.Classes.Count; c++)
        {
            var color = Palette[c % Palette.Length];
            for (int i = 1; i < curve.Count; i++)
                Line(canvas, X(curve[i - 1].Iteration), Y(Nines(curve[i - 1].LogOdds[c])), X(curve[i].Iteration), Y(Nines(curve[i].LogOdds[c])), color);
            int ly = top + 4 + c * 12;
            canvas.Fill(left + plotW + 10, ly, 8, 7, color);
            canvas.DrawText(Fit(report.Classes[c].ClassName, right - 24), left + plotW + 22, ly, Rgb.Black);
        }
        return canvas;
    }

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

    private static int NiceStep(int span)
    {
        foreach (var s in new[] { 1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000 })
            if (span / s <= 10) return s;
        return Math.Max(1, span / 10);
    }

    private static void Line(ImageCanvas canvas, int x0, int y0, int x1, int y1, Rgb color)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
        while (true)
        {
            canvas.Fill(x0, y0, 2, 2, color);
            if (x0 == x1 && y0 == y1) break;
            int e2 = 2 * err;
            if (e2 >= dy) { err += dy; x0 += sx; }
            if (e2 <= dx) { err += dx; y0 += sy; }
        }
    }

    private static string Fit(string text, int pixels)
    {
        int max = Math.Max(1, (pixels + 1) / 6);
        return text.Length <= max ? text : text[..Math.Max(1, max - 1)] + ".";
    }

    private static string Slug(string name)
    {
        var sb = new StringBuilder();
        foreach (char ch in name.ToLowerInvariant()) sb.Append(char.IsLetterOrDigit(ch) ? ch : '-');
        return sb.ToString().Trim('-');
    }

    private static string Csv(string s) => s.Contains(',') || s.Contains('"') ? "\"" + s.Replace("\"", "\"\"") + "\"" : s;
}
