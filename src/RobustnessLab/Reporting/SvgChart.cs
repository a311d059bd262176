using RobustnessLab.Reporting.Figures;

namespace RobustnessLab.Reporting;

/// <summary>
/// Draws a <see cref="CurveChart"/> as inline SVG for the gallery, from the same figure (<see cref="ChartFigure"/>) as
/// the chart files. Hand-written rather than ScottPlot: ScottPlot renders through SkiaSharp with the system's fonts,
/// while a merged sweep must produce a gallery byte-identical to a single-machine run. Text inherits the page's font.
/// </summary>
public static class SvgChart
{
    public static string Render(CurveChart chart, string id) => FigureSvg.Render(ChartFigure.Build(chart), inline: new SvgInline("chart", id));

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
}
