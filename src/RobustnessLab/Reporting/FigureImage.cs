namespace RobustnessLab.Reporting;

/// <summary>
/// An image file the gallery shows. <paramref name="Path"/> is relative to the run folder ('/' separators) so a run
/// folder can be zipped and opened anywhere. Images sharing a <paramref name="Group"/> are shown side by side
/// (biased beside debiased, one row of a fooling grid).
/// </summary>
public sealed record FigureImage(string Path, string Alt, string Caption, string? Group = null);
