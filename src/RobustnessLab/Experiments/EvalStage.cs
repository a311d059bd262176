using System.Text.Json.Nodes;
using RobustnessLab.Evaluation;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary><c>eval:</c> clean test accuracy of each model, overall and per class (a <see cref="ClassificationReport"/> per model).</summary>
public sealed class EvalStage : IExperimentStage
{
    public string Name => "eval";
    public int Version => 1;

    public StageOutput Run(StageContext context)
    {
        var section = context.SectionAs<EvalSection>();
        var models = context.ModelsFor(section.Models);
        var reports = new Dictionary<string, ClassificationReport>(StringComparer.Ordinal);
        for (int i = 0; i < models.Count; i++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            context.Report((double)i / models.Count, $"evaluating {models[i].Id}");
            reports[models[i].Id] = Accuracy.EvaluateChecked(models[i].Model, context.RequireData().Test, section.BatchSize, section.Samples);
        }
        context.Report(1, "done");
        return StageOutput.From(reports, View(reports));
    }

    private static StageView View(Dictionary<string, ClassificationReport> reports)
    {
        var headline = reports.Select(p => new HeadlineMetric("clean accuracy", p.Value.Accuracy, "percent", p.Key, $"{p.Value.Count:N0} test images")).ToList();
        var first = reports.Values.FirstOrDefault();
        var tables = new List<TableView>();
        if (first is not null)
        {
            var columns = new List<string> { "class" };
            columns.AddRange(reports.Keys);
            var rows = new List<IReadOnlyList<JsonNode?>>();
            for (int c = 0; c < first.ClassNames.Count; c++)
            {
                var row = new List<JsonNode?> { first.ClassNames[c] };
                row.AddRange(reports.Values.Select(r => (JsonNode?)(double.IsNaN(r.PerClassAccuracy[c]) ? null : r.PerClassAccuracy[c])));
                rows.Add(row);
            }
            tables.Add(new TableView("Per-class clean accuracy", columns, rows, "Fraction of each class's test images classified correctly."));
            var summary = reports.Select(p => (IReadOnlyList<JsonNode?>)[p.Key, p.Value.Accuracy, p.Value.MeanLoss, p.Value.Count]).ToList();
            tables.Insert(0, new TableView("Clean accuracy", ["model", "accuracy", "mean loss", "images"], summary));
        }
        return new StageView
        {
            Title = "Clean accuracy",
            Summary = "Accuracy on unperturbed test images, in eval mode.",
            Headline = headline,
            Tables = tables,
        };
    }
}
