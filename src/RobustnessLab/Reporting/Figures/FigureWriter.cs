using RobustnessLab.Core;

namespace RobustnessLab.Reporting.Figures;

/// <summary>The files one figure was written to (null where that format was not asked for).</summary>
public sealed record FigureFiles(string? Svg, string? Png)
{
    /// <summary>What a page should show: the SVG where there is one.</summary>
    public string Preferred => Svg ?? Png ?? throw new InvalidOperationException("a figure written to no file");

    public IEnumerable<string> All => new[] { Svg, Png }.OfType<string>();
}

/// <summary>Writes a figure as STEM.svg and/or STEM.png (atomically), as <see cref="FigureOutput"/> asks.</summary>
public static class FigureWriter
{
    /// <summary>Writes the figure; <paramref name="stem"/> is the path without extension.</summary>
    public static FigureFiles Write(Figure figure, string stem, FigureOutput? output = null)
    {
        output ??= FigureOutput.Default;
        output.Validate();
        var dir = Path.GetDirectoryName(Path.GetFullPath(stem));
        if (dir is not null) AtomicFile.EnsureWritableDirectory(dir);
        var files = output.Files(stem);
        if (files.Svg is { } svg) AtomicFile.WriteAllText(svg, FigureSvg.Render(figure));
        if (files.Png is { } png) AtomicFile.WriteAllBytes(png, FigurePng.Render(figure, output.Scale));
        return files;
    }

    /// <summary>The stem of a path given with or without .svg/.png (e.g. a user's --out).</summary>
    public static string Stem(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext is ".svg" or ".png" ? path[..^ext.Length] : path;
    }
}
