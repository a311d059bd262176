using System.Globalization;
using RobustnessLab.Core;

namespace RobustnessLab.Reporting.Figures;

/// <summary>
/// Which files a figure becomes: SVG (text stays text; what the gallery shows) and/or PNG at <see cref="Scale"/> times
/// the figure's CSS size. Defaults (both formats, scale 2) are defined here only.
/// </summary>
public sealed record FigureOutput
{
    public static readonly FigureOutput Default = new();

    public bool Svg { get; init; } = true;
    public bool Png { get; init; } = true;
    public double Scale { get; init; } = 2;

    public void Validate()
    {
        if (!Svg && !Png) throw new LabException("figure format: choose svg, png or both");
        if (!(Scale > 0 && Scale <= FigurePng.MaxScale)) throw new LabException($"figure scale must be in (0, {FigurePng.MaxScale.ToString(CultureInfo.InvariantCulture)}], got {Scale.ToString(CultureInfo.InvariantCulture)}");
    }

    /// <summary>From a format list ("svg,png", "svg", "png") and a scale; a bad value names itself.</summary>
    public static FigureOutput Parse(string? formats, double? scale = null)
    {
        var output = Default;
        if (formats is not null)
        {
            var parts = formats.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => p.ToLowerInvariant()).ToList();
            var unknown = parts.Where(p => p is not ("svg" or "png")).ToList();
            if (unknown.Count > 0 || parts.Count == 0)
                throw new LabException($"figure format '{formats}': expected svg, png or svg,png");
            output = output with { Svg = parts.Contains("svg"), Png = parts.Contains("png") };
        }
        if (scale is { } s) output = output with { Scale = s };
        output.Validate();
        return output;
    }

    /// <summary>The files a figure written to <paramref name="stem"/> (a path without extension) becomes.</summary>
    public FigureFiles Files(string stem) => new(Svg ? stem + ".svg" : null, Png ? stem + ".png" : null);

    public override string ToString() =>
        string.Join(",", new[] { Svg ? "svg" : null, Png ? "png" : null }.OfType<string>()) + " at scale " + Scale.ToString(CultureInfo.InvariantCulture);
}
