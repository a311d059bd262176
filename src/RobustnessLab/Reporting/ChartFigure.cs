using System.Globalization;
using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// A <see cref="CurveChart"/> (robustness curves, training curves) as a <see cref="Figure"/>: the one layout behind the
/// gallery's inline charts (<see cref="SvgChart"/>) and the chart files written beside them. Okabe and Ito's palette
/// with distinct markers as a second cue; a missing value breaks the line instead of being bridged.
/// </summary>
public static class ChartFigure
{
    public const double Width = 640, Height = 380;

    public static Figure Build(CurveChart chart)
    {
        const double left = 64, right = 150, top = 34, bottom = 52;
        double pw = Width - left - right, ph = Height - top - bottom;
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
        var xticks = dataTicks ? distinct : SvgChart.Ticks(xmin, xmax);
        var yticks = SvgChart.Ticks(ymin, ymax);
        xmin = Math.Min(xmin, xticks[0]); xmax = Math.Max(xmax, xticks[^1]);
        ymin = Math.Min(ymin, yticks[0]); ymax = Math.Max(ymax, yticks[^1]);
        double X(double v) => left + (v - xmin) / (xmax - xmin) * pw;
        double Y(double v) => top + ph - (v - ymin) / (ymax - ymin) * ph;

        var e = new List<FigureElement> { new FigureText(chart.Title, left, 20, 14, Bold: true) };
        foreach (var t in yticks)
        {
            e.Add(new FigureLine(left, Y(t), left + pw, Y(t), FigureStyle.Grid));
            e.Add(new FigureText(Label(t, chart.YPercent), left - 6, Y(t) + 4, FigureStyle.Tick, TextAnchor.End));
        }
        foreach (var t in xticks)
        {
            e.Add(new FigureLine(X(t), top + ph, X(t), top + ph + 5, FigureStyle.Axis));
            e.Add(new FigureText(F(t), X(t), top + ph + 19, FigureStyle.Tick, TextAnchor.Middle));
        }
        e.Add(new FigureLine(left, top + ph, left + pw, top + ph, FigureStyle.Axis));
        e.Add(new FigureLine(left, top, left, top + ph, FigureStyle.Axis));
        e.Add(new FigureText(chart.XLabel, left + pw / 2, Height - 10, FigureStyle.Body, TextAnchor.Middle));
        e.Add(new FigureText(chart.YLabel, 16, top + ph / 2, FigureStyle.Body, TextAnchor.Middle, Rotate: -90));
        for (int s = 0; s < chart.Series.Count; s++)
        {
            var series = chart.Series[s];
            string colour = FigureStyle.Palette[s % FigureStyle.Palette.Count], marker = FigureStyle.Markers[s % FigureStyle.Markers.Count];
            var all = series.X.Zip(series.Y).Where(p => double.IsFinite(p.First)).OrderBy(p => p.First).ToList();
            var run = new List<(double, double)>();
            foreach (var p in all.Append((First: double.NaN, Second: double.NaN)))
            {
                if (double.IsFinite(p.Second)) { run.Add((X(p.First), Y(p.Second))); continue; }
                if (run.Count > 1) e.Add(new FigurePolyline(run.ToList(), colour));
                run.Clear();
            }
            foreach (var (x, y) in all.Where(p => double.IsFinite(p.Second)))
                e.Add(new FigureMarker(marker, X(x), Y(y), colour, Tooltip: $"{series.Name}: {F(x)} → {Label(y, chart.YPercent)}"));
            double ly = top + 10 + s * 20;
            e.Add(new FigureMarker(marker, left + pw + 18, ly, colour));
            e.Add(new FigureText(FigureFont.Fit(series.Name, right - 36, 12.5), left + pw + 30, ly + 4, 12.5));
        }
        return new Figure(Width, Height, chart.Title, e)
        {
            Description = string.Join("; ", chart.Series.Select(s => $"{s.Name}: " + string.Join(", ", s.X.Zip(s.Y).Select(p =>
                $"({F(p.First)}, {(double.IsFinite(p.Second) ? Label(p.Second, chart.YPercent) : "missing")})")))),
        };
    }

    private static string Label(double v, bool percent) =>
        percent ? (v * 100).ToString("0.#", CultureInfo.InvariantCulture) + "%" : F(v);

    private static string F(double v) => Math.Round(v, 4).ToString("0.####", CultureInfo.InvariantCulture);
}
