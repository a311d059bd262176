using System.Globalization;
using System.Text;

namespace RobustnessLab.Reporting;

/// <summary>
/// Draws a <see cref="CurveChart"/> as inline SVG. Hand-written rather than ScottPlot: ScottPlot renders through
/// SkiaSharp, whose Linux native library and installed fonts change the output between machines, while a merged
/// sweep must produce a gallery byte-identical to a single-machine run. Text inherits the page's font.
/// </summary>
public static class SvgChart
{
    /// <summary>Okabe and Ito's colour-blind-safe palette, with distinct markers as a second cue.</summary>
    private static readonly string[] Colours = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
    private static readonly string[] Markers = ["circle", "square", "diamond", "triangle"];

    public static string Render(CurveChart chart, string id)
    {
        const double W = 640, H = 380, left = 64, right = 150, top = 34, bottom = 52;
        double pw = W - left - right, ph = H - top - bottom;
        var xs = chart.Series.SelectMany(s => s.X).Where(double.IsFinite).ToList();
        var ys = chart.Series.SelectMany(s => s.Y).Where(double.IsFinite).ToList();
        double xmin = xs.Count > 0 ? xs.Min() : 0, xmax = xs.Count > 0 ? xs.Max() : 1;
        double ymin = chart.YMin ?? (ys.Count > 0 ? Math.Min(0, ys.Min()) : 0), ymax = chart.YMax ?? (ys.Count > 0 ? ys.Max() : 1);
        if (chart.YPercent && chart.YMax is null && ymax <= 1) ymax = 1;
        if (xmax <= xmin) xmax = xmin + 1;
        if (ymax <= ymin) ymax = ymin + 1;
        // A short grid (an epsilon grid, epochs) is labelled at its own values; otherwise round ticks.
        var distinct = xs.Distinct().Order().ToArray();
        bool dataTicks = distinct.Length is >= 2 and <= 8 && distinct.Zip(distinct.Skip(1)).Min(p => p.Second - p.First) >= 0.07 * (xmax - xmin);
        var xticks = dataTicks ? distinct : Ticks(xmin, xmax);
        var yticks = Ticks(ymin, ymax);
        xmin = Math.Min(xmin, xticks[0]); xmax = Math.Max(xmax, xticks[^1]);
        ymin = Math.Min(ymin, yticks[0]); ymax = Math.Max(ymax, yticks[^1]);
        double X(double v) => left + (v - xmin) / (xmax - xmin) * pw;
        double Y(double v) => top + ph - (v - ymin) / (ymax - ymin) * ph;

        var sb = new StringBuilder();
        var desc = string.Join("; ", chart.Series.Select(s => $"{s.Name}: " + string.Join(", ", s.X.Zip(s.Y).Select(p =>
            $"({F(p.First)}, {(double.IsFinite(p.Second) ? Label(p.Second, chart.YPercent) : "missing")})"))));
        sb.Append($"<svg class=\"chart\" id=\"{Html.Escape(id)}\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {F(W)} {F(H)}\" role=\"img\" aria-labelledby=\"{Html.Escape(id)}-t {Html.Escape(id)}-d\">");
        sb.Append($"<title id=\"{Html.Escape(id)}-t\">{Html.Escape(chart.Title)}</title><desc id=\"{Html.Escape(id)}-d\">{Html.Escape(desc)}</desc>");
        sb.Append($"<text x=\"{F(left)}\" y=\"20\" class=\"chart-title\">{Html.Escape(chart.Title)}</text>");
        foreach (var t in yticks)
        {
            sb.Append($"<line x1=\"{F(left)}\" x2=\"{F(left + pw)}\" y1=\"{F(Y(t))}\" y2=\"{F(Y(t))}\" class=\"grid\"/>");
            sb.Append($"<text x=\"{F(left - 6)}\" y=\"{F(Y(t) + 4)}\" text-anchor=\"end\" class=\"tick\">{Html.Escape(Label(t, chart.YPercent))}</text>");
        }
        foreach (var t in xticks)
        {
            sb.Append($"<line x1=\"{F(X(t))}\" x2=\"{F(X(t))}\" y1=\"{F(top + ph)}\" y2=\"{F(top + ph + 5)}\" class=\"axis\"/>");
            sb.Append($"<text x=\"{F(X(t))}\" y=\"{F(top + ph + 19)}\" text-anchor=\"middle\" class=\"tick\">{Html.Escape(F(t))}</text>");
        }
        sb.Append($"<line x1=\"{F(left)}\" x2=\"{F(left + pw)}\" y1=\"{F(top + ph)}\" y2=\"{F(top + ph)}\" class=\"axis\"/>");
        sb.Append($"<line x1=\"{F(left)}\" x2=\"{F(left)}\" y1=\"{F(top)}\" y2=\"{F(top + ph)}\" class=\"axis\"/>");
        sb.Append($"<text x=\"{F(left + pw / 2)}\" y=\"{F(H - 10)}\" text-anchor=\"middle\" class=\"axis-label\">{Html.Escape(chart.XLabel)}</text>");
        sb.Append($"<text transform=\"translate(16 {F(top + ph / 2)}) rotate(-90)\" text-anchor=\"middle\" class=\"axis-label\">{Html.Escape(chart.YLabel)}</text>");
        for (int s = 0; s < chart.Series.Count; s++)
        {
            var series = chart.Series[s];
            string colour = Colours[s % Colours.Length], marker = Markers[s % Markers.Length];
            var all = series.X.Zip(series.Y).Where(p => double.IsFinite(p.First)).OrderBy(p => p.First).ToList();
            // A missing value breaks the line instead of being bridged.
            var run = new List<(double, double)>();
            foreach (var p in all.Append((First: double.NaN, Second: double.NaN)))
            {
                if (double.IsFinite(p.Second)) { run.Add(p); continue; }
                if (run.Count > 1)
                    sb.Append($"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(" ", run.Select(q => F(X(q.Item1)) + "," + F(Y(q.Item2))))}\"/>");
                run.Clear();
            }
            var pts = all.Where(p => double.IsFinite(p.Second)).ToList();
            foreach (var (x, y) in pts)
            {
                sb.Append(MarkerSvg(marker, X(x), Y(y), colour));
                sb.Append($"<title>{Html.Escape($"{series.Name}: {F(x)} → {Label(y, chart.YPercent)}")}</title></g>");
            }
            double ly = top + 10 + s * 20;
            sb.Append(MarkerSvg(marker, left + pw + 18, ly, colour)).Append("</g>");
            sb.Append($"<text x=\"{F(left + pw + 30)}\" y=\"{F(ly + 4)}\" class=\"legend\">{Html.Escape(series.Name)}</text>");
        }
        sb.Append("</svg>");
        return sb.ToString();
    }

    private static string MarkerSvg(string marker, double x, double y, string colour) => marker switch
    {
        "square" => $"<g><rect x=\"{F(x - 4)}\" y=\"{F(y - 4)}\" width=\"8\" height=\"8\" fill=\"{colour}\"/>",
        "diamond" => $"<g><polygon points=\"{F(x)},{F(y - 5)} {F(x + 5)},{F(y)} {F(x)},{F(y + 5)} {F(x - 5)},{F(y)}\" fill=\"{colour}\"/>",
        "triangle" => $"<g><polygon points=\"{F(x)},{F(y - 5)} {F(x + 5)},{F(y + 4)} {F(x - 5)},{F(y + 4)}\" fill=\"{colour}\"/>",
        _ => $"<g><circle cx=\"{F(x)}\" cy=\"{F(y)}\" r=\"4\" fill=\"{colour}\"/>",
    };

    /// <summary>About five round ticks covering [lo, hi] (steps of 1, 2 or 5 times a power of ten).</summary>
    public static double[] Ticks(double lo, double hi)
    {
        double span = hi - lo, raw = span / 5, mag = Math.Pow(10, Math.Floor(Math.Log10(raw))), norm = raw / mag;
        double step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
        double start = Math.Floor(lo / step + 1e-9) * step, end = Math.Ceiling(hi / step - 1e-9) * step;
        var ticks = new List<double>();
        for (double t = start; t <= end + step * 1e-6; t += step) ticks.Add(Math.Round(t / step) * step);
        return ticks.ToArray();
    }

    private static string Label(double v, bool percent) =>
        percent ? (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : F(v);

    private static string F(double v) => Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture);
}
