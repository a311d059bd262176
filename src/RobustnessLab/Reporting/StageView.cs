namespace RobustnessLab.Reporting;

/// <summary>
/// How a stage's results are shown: headline numbers, red flags, curves, images and tables. Stages fill it from their
/// own result records; the gallery renders any stage from it without knowing the stage.
/// </summary>
public sealed record StageView
{
    public string? Title { get; init; }
    public string? Summary { get; init; }
    public IReadOnlyList<HeadlineMetric> Headline { get; init; } = [];
    public IReadOnlyList<SanityFlag> Flags { get; init; } = [];
    public IReadOnlyList<CurveChart> Curves { get; init; } = [];
    public IReadOnlyList<FigureImage> Images { get; init; } = [];
    public IReadOnlyList<TableView> Tables { get; init; } = [];
}
