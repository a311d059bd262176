using System.Globalization;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Fooling;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// <c>fooling:</c> fooling images (Nguyen, Yosinski, Clune 2015, arXiv:1412.1897) for every listed model through
/// <see cref="FoolingRun"/>: one <see cref="FoolingReport"/> per model (the fooling.json schema, with <c>model</c> set to
/// the model id), its files written by <see cref="FoolingFigures"/> (champion grid with confidences, confidence curve,
/// each champion as a 16-bit PNG), the nearest training image as evidence of novelty, and transfer to the next model.
/// </summary>
public sealed class FoolingStage : IExperimentStage
{
    public string Name => "fooling";
    public int Version => 1;

    public StageOutput Run(StageContext context)
    {
        var section = context.SectionAs<FoolingSection>();
        var models = context.ModelsFor(section.Models);
        var options = section.ToOptions((int)(context.Seed & 0x7fffffff), context.Lab.Workers);
        var reports = new List<FoolingReport>();
        for (int m = 0; m < models.Count; m++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            var model = models[m];
            // Transfer goes to the next model of the run (Nguyen et al.'s DNN B), when there is one.
            var others = context.Models.Values.Where(o => o.Id != model.Id).ToList();
            var transfer = section.Transfer && others.Count > 0 ? others[0] : null;
            var inputs = new FoolingInputs(context.Data?.Train, context.Data?.Test, transfer?.Model, model.Id, transfer?.Id, context.Lab.Threads);
            int index = m;
            var progress = new SyncProgress<FoolingProgress>(p => context.Report(
                (index + (p.Total > 0 ? (double)p.Iteration / p.Total : 0)) / models.Count, $"{model.Id}: {p.Phase} {p.Iteration}/{p.Total}"));
            var report = FoolingRun.Run(model.Model, options, inputs, progress, context.Cancel);
            var folder = Path.Combine(context.StageDirectory, Slug(model.Id));
            report = FoolingFigures.WriteAll(report, folder, figures: context.Figures);
            report = report with
            {
                Classes = report.Classes.Select(c => c with { ImageFile = c.ImageFile is null ? null : context.Relative(Path.Combine(folder, c.ImageFile)) }).ToList(),
            };
            reports.Add(report);
        }
        context.Report(1, "done");
        return StageOutput.From(reports, View(reports, context, section));
    }

    private static StageView View(List<FoolingReport> reports, StageContext context, FoolingSection section)
    {
        var headline = new List<HeadlineMetric>();
        var images = new List<FigureImage>();
        var tables = new List<TableView>();
        foreach (var r in reports)
        {
            var folder = Path.Combine(context.StageDirectory, Slug(r.Model));
            headline.Add(new HeadlineMetric("median fooling confidence", r.Summary.MedianConfidence, "percent", r.Model,
                $"{r.Summary.Reached99} of {r.Summary.Classes} classes at >= 99%"));
            if (r.Summary.MeanTransferConfidence is { } t)
                headline.Add(new HeadlineMetric("transfer confidence", t, "percent", r.Model, $"mean, on {r.TransferModel}"));
            images.Add(new FigureImage(context.Relative(Path.Combine(folder, r.Figures!["champions"])),
                $"Fooling images for {r.Model}, one per class, labelled with the class and the model's confidence",
                $"{r.Model}: {r.Method} fooling images after {r.Generations} {(r.Method == "gradient" ? "steps" : "generations")}; p = the model's confidence in the class " +
                $"(green at >= 99%){(r.TransferModel is null ? "" : $", 2nd model = confidence of {r.TransferModel} in the same class")}.", $"fooling-{r.Model}"));
            images.Add(new FigureImage(context.Relative(Path.Combine(folder, r.Figures!["curve"])),
                $"Best confidence per class against {(r.Method == "gradient" ? "steps" : "generations")} for {r.Model}",
                "Best confidence per class on a 'nines' axis (0.99, 0.999, ...).", $"fooling-{r.Model}"));
            tables.Add(new TableView($"Fooling images: {r.Model}",
                ["class", "confidence", "8-bit confidence", "generation reached 0.99", "nearest train L2", "nearest train class", "transfer confidence"],
                r.Classes.Select(c => (IReadOnlyList<JsonNode?>)
                [
                    c.ClassName, c.Confidence, c.Confidence8Bit, c.GenerationsTo99, c.NearestTrainL2, c.NearestTrainClass, c.TransferConfidence,
                ]).ToList(),
                "A fooling image far from every training image (nearest train L2 well above the within-class distance) is not a disguised real example."));
        }
        var flags = reports.Where(r => r.Summary.Reached99 < r.Summary.Classes)
            .Select(r => new SanityFlag("warning", $"{r.Summary.Classes - r.Summary.Reached99} of {r.Summary.Classes} classes stayed below 99% confidence " +
                                                   $"(lowest {r.Summary.MinConfidence.ToString("0.####", CultureInfo.InvariantCulture)}): run more generations", r.Model)).ToList();
        return new StageView
        {
            Title = "Fooling images",
            Summary = $"Images no person would recognise that the model classifies with high confidence ({section.Method}" +
                      $"{(section.Method == "evolutionary" ? $", {section.Encoding} encoding, MAP-Elites with one cell per class" : " ascent on the class logit")}).",
            Headline = headline,
            Flags = flags,
            Images = images,
            Tables = tables,
        };
    }

    private static string Slug(string id) => new(id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' ? c : '-').ToArray());
}
