namespace RobustnessLab.Evaluation;

/// <summary>
/// What <see cref="AdversarialFigure.Run"/> returns, and what figure.json (<c>lab attack</c>) and each entry of
/// results.json's <c>figures</c> hold: the model, attack, budget, criterion and how examples were chosen, and the panels.
/// </summary>
public sealed record AdversarialFigureReport(string Model, string Attack, double Eps, string Criterion, string Selection, string? Title,
    IReadOnlyList<AdversarialPanel> Panels);
