using System.Globalization;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Experiments.Config;
using RobustnessLab.FeatureVis;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// <c>visualize:</c> feature visualisation by optimisation (Olah, Mordvintsev, Schubert 2017, Distill) of class logits
/// and channels through <see cref="FeatureVisualizer"/>; one contact sheet per model, the models' sheets side by side in
/// the gallery (a robust model's classes beside a standard one's, Tsipras et al. 2018, arXiv:1805.12152).
/// </summary>
public sealed class VisualizeStage : IExperimentStage
{
    public string Name => "visualize";
    public int Version => 1;

    public StageOutput Run(StageContext context)
    {
        var s = context.SectionAs<VisualizeSection>();
        var options = s.ToOptions((int)(context.Seed & 0x7fffffff));
        var models = context.ModelsFor(s.Models);
        var entries = new List<VisualizationEntry>();
        var images = new List<FigureImage>();
        for (int m = 0; m < models.Count; m++)
        {
            var model = models[m];
            int index = m;
            var progress = new SyncProgress<(int Objective, int Objectives, VisualizationProgress Step)>(p =>
                context.Report((index + (p.Objective + (double)p.Step.Step / p.Step.Steps) / p.Objectives) / models.Count,
                    $"{model.Id}: objective {p.Objective + 1}/{p.Objectives} step {p.Step.Step}/{p.Step.Steps}"));
            var report = Visualize.Run(model.Model, options, model.Id, progress, context.Cancel);
            report = VisualizationSheets.Write(report, Path.Combine(context.StageDirectory, $"{Slug(model.Id)}-sheet"), model.Id, context.Figures, context.RunDirectory);
            entries.AddRange(report.Entries);
            var path = report.Entries[0].Sheet!;
            images.Add(new FigureImage(path, $"Feature visualisations of {model.Id}: {report.Entries.Count} objectives x {options.Images} seeds",
                $"{model.Id}: one row per objective, one column per seed; p = the model's probability of the class for that image.", "visualize"));
        }
        context.Report(1, "done");
        var probs = entries.Where(e => e.ClassProbability is not null).ToList();
        var view = new StageView
        {
            Title = "Feature visualisation",
            Summary = $"Inputs optimised to maximise each objective ({options.Optimization.Steps} Adam steps, " +
                      $"{options.Optimization.Parameterization.ToString().ToLowerInvariant()} parametrisation, {options.Optimization.Transforms} transforms).",
            Headline = probs.GroupBy(e => e.Model).Select(g => new HeadlineMetric("mean class probability of visualisations",
                g.SelectMany(e => e.ClassProbability!).Average(), "percent", g.Key)).ToList(),
            Images = images,
            Tables =
            [
                new TableView("Visualised objectives", ["model", "objective", "final objective (mean)", "class probability (mean)", "seconds"],
                    entries.Select(e => (IReadOnlyList<JsonNode?>)[e.Model, e.Objective, e.FinalObjective.Average(), e.ClassProbability?.Average(), Math.Round(e.Seconds, 1)]).ToList()),
            ],
        };
        return StageOutput.From(entries, view);
    }

    private static string Slug(string id) => new(id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
}
