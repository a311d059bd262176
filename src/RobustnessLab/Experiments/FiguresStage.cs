using System.Globalization;
using RobustnessLab.Evaluation;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// <c>figures:</c> panda-style panels (Goodfellow, Shlens, Szegedy 2014, arXiv:1412.6572, figure 1) from
/// <see cref="AdversarialFigure"/>: each panel as SVG and PNG, the clean and adversarial images as exact 16-bit PNGs, and the
/// saved adversarial re-read and re-classified (an attack that 8-bit rounding undoes is shown as such).
/// </summary>
public sealed class FiguresStage : IExperimentStage
{
    public string Name => "figures";
    public int Version => 2;

    public StageOutput Run(StageContext context)
    {
        var sections = context.SectionAs<IReadOnlyList<FigureSection>>();
        var test = context.RequireData().Test;
        var figures = new List<AdversarialFigureReport>();
        var images = new List<FigureImage>();
        int seed = (int)(context.Seed & 0x7fffffff);
        for (int f = 0; f < sections.Count; f++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            var s = sections[f];
            var model = context.Models[s.Model];
            var options = s.ToOptions(seed);
            context.Report((double)f / sections.Count, $"{options.Attack.Name} panel for {s.Model}");
            AdversarialFigureReport report;
            try { report = AdversarialFigure.Run(model.Model, test, options, s.Model, s.Title, context.Cancel); }
            catch (Core.LabException e) when (options.Rows is not null || options.Class is not null) { throw new Core.LabException($"figures[{f}]: {e.Message}", e); }
            report = AdversarialFigures.Write(report, context.StageDirectory, $"figure{f + 1}-", context.Figures);
            // The record's files are relative to the stage folder; results.json's to the run folder.
            report = report with
            {
                Panels = report.Panels.Select(p => p with
                {
                    Files = p.Files!.ToDictionary(kv => kv.Key, kv => context.Relative(Path.Combine(context.StageDirectory, kv.Value))),
                }).ToList(),
            };
            foreach (var p in report.Panels)
            {
                string eps = report.Eps.ToString("0.####", CultureInfo.InvariantCulture);
                images.Add(new FigureImage(p.Files!["panel"],
                    $"{report.Attack} at eps {eps} on test image {p.Index}: {AdversarialPanelFigure.Show(p.Clean)} becomes {AdversarialPanelFigure.Show(p.Adversarial)}",
                    $"{s.Title ?? $"{s.Model}: {report.Attack}, eps = {eps}"} (test image {p.Index}, true {p.TrueLabel}): " +
                    $"{AdversarialPanelFigure.Show(p.Clean)} -> {AdversarialPanelFigure.Show(p.Adversarial)}{(p.Success ? "" : " (attack failed)")}",
                    s.Title ?? $"{s.Model}: {report.Attack} at eps = {eps}"));
            }
            figures.Add(report);
        }
        context.Report(1, "done");
        var all = figures.SelectMany(x => x.Panels).ToList();
        var view = new StageView
        {
            Title = "Adversarial examples",
            Summary = "x + eps * perturbation = x'. The middle image is the perturbation direction (grey = 0); " +
                      "predictions in green are correct, in red flipped. '8-bit' and 'saved' re-classify the rounded image and the written 16-bit PNG.",
            Headline = all.Count == 0 ? [] : [new HeadlineMetric("panels flipped", all.Count(p => p.Success) / (double)all.Count, "percent", null, $"{all.Count(p => p.Success)} of {all.Count}")],
            Flags = all.Where(p => p.Success && p.Saved is { } sv && sv.Class == p.Clean.Class)
                .Select(p => new SanityFlag("warning", $"test image {p.Index}: the saved adversarial PNG is classified {p.Saved!.Label} again; the attack does not survive saving")).ToList(),
            Images = images,
        };
        return StageOutput.From(figures, view);
    }
}
