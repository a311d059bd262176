using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments;

/// <summary>One entry of <c>figures</c> in results.json: its panels with their predictions and files.</summary>
public sealed record FigureResult(string Model, string Attack, double Eps, string? Title, IReadOnlyList<AdversarialPanel> Panels);
