using System.Text.Json.Serialization;
using RobustnessLab.Core;
using RobustnessLab.Models;

namespace RobustnessLab.FeatureVis;

/// <summary>What <see cref="Visualize.Run"/> returns: one entry per objective, and the images behind them (not in JSON).</summary>
public sealed record VisualizeReport(string Model, IReadOnlyList<VisualizationEntry> Entries)
{
    /// <summary>The optimisation results, in the order of <see cref="Entries"/> (images and snapshots, for the writer).</summary>
    [JsonIgnore] public IReadOnlyList<VisualizationResult> Results { get; init; } = [];
}

/// <summary>
/// Feature visualisation by optimisation (Olah, Mordvintsev, Schubert 2017, Distill) of each objective of
/// <see cref="VisualizeOptions"/> through <see cref="FeatureVisualizer"/>: the one service of <c>lab visualize</c> and the
/// <c>visualize:</c> stage. Writes nothing; <c>Reporting.VisualizationSheets</c> draws the sheet.
/// </summary>
public static class Visualize
{
    public static VisualizeReport Run(Classifier model, VisualizeOptions options, string modelName, IProgress<(int Objective, int Objectives, VisualizationProgress Step)>? progress = null,
        CancellationToken cancel = default)
    {
        options.Validate(model.Spec.Height, model.Spec.Width);
        var settings = options.Optimization with { Seeds = options.ImageSeeds };
        var objectives = Resolve(options.Objectives, model.ClassNames);
        var entries = new List<VisualizationEntry>();
        var results = new List<VisualizationResult>();
        for (int i = 0; i < objectives.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            var (objective, cls) = objectives[i];
            if (options.Diversity > 0 && options.Images > 1)
                objective = objective + options.Diversity * Objectives.Diversity(options.DiversityLayer);
            int index = i;
            var r = FeatureVisualizer.Render(model, objective, settings,
                progress is null ? null : new SyncProgress<VisualizationProgress>(p => progress.Report((index, objectives.Count, p))), cancel);
            results.Add(r);
            entries.Add(new VisualizationEntry(modelName, r.Objective, cls is { } k ? model.ClassNames[k] : null, r.Seeds, r.Steps, r.FinalObjective,
                cls is { } kk ? r.ClassProbabilities.Select(p => p[kk]).ToList() : null, r.Seconds, null));
        }
        return new VisualizeReport(modelName, entries) { Results = results };
    }

    /// <summary>Each objective with its class (for class logits): a class name or index, else an objective expression.</summary>
    public static List<(Objective Objective, int? Class)> Resolve(IReadOnlyList<string>? objectives, IReadOnlyList<string> classNames)
    {
        if (objectives is null || objectives.Count == 0)
            return Enumerable.Range(0, classNames.Count).Select(c => (Objectives.ClassLogit(c, classNames[c]), (int?)c)).ToList();
        var list = new List<(Objective, int?)>();
        foreach (var text in objectives)
        {
            bool isClass = classNames.Contains(text.Trim(), StringComparer.OrdinalIgnoreCase) || int.TryParse(text.Trim(), out _);
            if (isClass)
            {
                int c = ObjectiveSpec.Class(text, classNames);
                list.Add((Objectives.ClassLogit(c, classNames[c]), c));
            }
            else if (!text.Contains(':', StringComparison.Ordinal) && text.Trim() is not ("tv" or "l2"))
                // A bare word is meant as a class: say which classes there are rather than how expressions read.
                throw new LabException($"no class '{text.Trim()}' in the model; its classes: {string.Join(", ", classNames)} (or an objective expression such as logit:CLASS or channel:LAYER:N)");
            else list.Add((ObjectiveSpec.Parse(text, classNames), null));
        }
        return list;
    }
}
