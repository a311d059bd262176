using System.Globalization;
using RobustnessLab.Evaluation;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;

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
        var figures = new List<FigureResult>();
        var images = new List<FigureImage>();
        int seed = (int)(context.Seed & 0x7fffffff);
        for (int f = 0; f < sections.Count; f++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            var s = sections[f];
            var model = context.Models[s.Model];
            context.Report((double)f / sections.Count, $"{s.Attack} panel for {s.Model}");
            var rows = s.Indices?.Select(i => (long)i).ToArray() ?? (s.Class is not null ? RowsOf(test, s.Class) : null);
            if (rows is not null && rows.Any(r => r >= test.Count))
                throw new Core.LabException($"figures[{f}].indices: the test set has {test.Count} rows (0..{test.Count - 1})");
            using var subset = rows is null ? null : test.Subset(rows);
            var data = subset ?? test;
            var options = new FigureOptions { Attack = new AttackSpec(s.Attack), Eps = s.Eps, Examples = s.Indices?.Count ?? s.Samples, Seed = seed };
            var panels = AdversarialFigure.Build(model.Model, data, options, context.Cancel);
            var written = new List<AdversarialPanel>();
            foreach (var p0 in panels)
            {
                // Rows of a subset are renumbered from 0: report the test-set row.
                int row = rows is null ? p0.Index : (int)rows[p0.Index];
                var p = p0 with { Index = row };
                string stem = $"figure{f + 1}-{row:D5}";
                var files = new Dictionary<string, string>
                {
                    ["clean"] = Exact(context, $"{stem}-clean.png", p.CleanImage),
                    ["adversarial"] = Exact(context, $"{stem}-adversarial.png", p.AdversarialImage),
                };
                var saved = AdversarialFigure.Classify(model.Model, Png.Load(Path.Combine(context.RunDirectory, files["adversarial"]), p.AdversarialImage.Channels));
                p = p with { Saved = saved };
                var panel = FigureWriter.Write(AdversarialPanelFigure.Build(p), Path.Combine(context.StageDirectory, $"{stem}-panel"), context.Figures);
                files["panel"] = context.Relative(panel.Preferred);
                if (panel is { Svg: not null, Png: { } png }) files["panel_png"] = context.Relative(png);
                p = p with { Files = files };
                written.Add(p);
                string eps = s.Eps.ToString("0.####", CultureInfo.InvariantCulture);
                images.Add(new FigureImage(files["panel"],
                    $"{s.Attack} at eps {eps} on test image {row}: {AdversarialPanelFigure.Show(p.Clean)} becomes {AdversarialPanelFigure.Show(p.Adversarial)}",
                    $"{s.Title ?? $"{s.Model}: {s.Attack}, eps = {eps}"} (test image {row}, true {p.TrueLabel}): " +
                    $"{AdversarialPanelFigure.Show(p.Clean)} -> {AdversarialPanelFigure.Show(p.Adversarial)}{(p.Success ? "" : " (attack failed)")}",
                    s.Title ?? $"{s.Model}: {s.Attack} at eps = {eps}"));
            }
            figures.Add(new FigureResult(s.Model, s.Attack, s.Eps, s.Title, written));
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

    private static string Exact(StageContext context, string name, Core.ImageData image)
    {
        var path = Path.Combine(context.StageDirectory, name);
        Png.SaveExact(image, path);
        return context.Relative(path);
    }

    private static long[] RowsOf(Data.Dataset data, string className)
    {
        int c = data.ClassNames.ToList().IndexOf(className);
        if (c < 0) throw new Core.LabException($"figures: class '{className}' is not in dataset '{data.Name}' ({string.Join(", ", data.ClassNames)})");
        using var scope = TorchSharp.torch.NewDisposeScope();
        var labels = data.Labels.cpu().data<long>().ToArray();
        return Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Select(i => (long)i).ToArray();
    }
}
