namespace RobustnessLab.Reporting;

/// <summary>One line of a <see cref="CurveChart"/>.</summary>
public sealed record CurveSeries(string Name, IReadOnlyList<double> X, IReadOnlyList<double> Y);
