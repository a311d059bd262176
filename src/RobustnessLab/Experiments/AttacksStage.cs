using System.Globalization;
using System.Text.Json.Nodes;
using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Evaluation;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// <c>attacks:</c> runs the robustness evaluation (<see cref="RobustnessEvaluation"/>) of every listed model. Sections that share samples, batch
/// size, targeting, norm, epsilon grid, mode and epsilon nesting run together in one <see cref="RobustnessEvaluation"/>, so their per-sample
/// worst case is exact (Croce and Hein 2020, arXiv:2003.01690); sections that differ get their own worst case.
/// </summary>
public sealed class AttacksStage : IExperimentStage
{
    public string Name => "attacks";
    public int Version => 4;

    public StageOutput Run(StageContext context)
    {
        var sections = context.SectionAs<IReadOnlyList<AttackSection>>();
        var test = context.RequireData().Test;
        var jobs = new List<(TrainedModel Model, IReadOnlyList<AttackSection> Group)>();
        foreach (var model in context.Models.Values)
            jobs.AddRange(AttackSection.Groups(sections, model.Id).Select(g => (model, g)));

        var reports = new List<(string Model, RobustnessReport Report)>();
        int seed = (int)(context.Seed & 0x7fffffff);
        for (int j = 0; j < jobs.Count; j++)
        {
            context.Cancel.ThrowIfCancellationRequested();
            var (model, g) = jobs[j];
            var options = AttackSection.ToOptions(g, seed, context.Lab.Workers);
            int job = j;
            var progress = new SyncProgress<RobustnessProgress>(p =>
                context.Report((job + (double)p.Done / Math.Max(1, p.Total)) / jobs.Count, $"{model.Id}: {p.Stage}"));
            // Each finished (attack, batch) is kept in the stage folder, so a killed run resumes inside the stage, and an
            // attack added to the list runs alone: the scope is what the options cannot see (the weights and the data).
            var checkpoint = new EvaluationCheckpoint(Path.Combine(context.StageDirectory, "batches"),
                $"attacks stage v{Version}; model {model.Id} {model.Record.SpecHash}; data {context.Config.Dataset?.Identity()?.ToJsonString()}");
            reports.Add((model.Id, RobustnessEvaluation.Run(model.Model, test, options, progress, context.Cancel, model.Id, checkpoint,
                Training.TrainingObjectives.Radius(model.Record.Objective, model.Record.ObjectiveArgs))));
        }
        context.Report(1, "done");
        var result = AttacksResult.From(reports);
        return StageOutput.From(result, View(result));
    }

    private static StageView View(AttacksResult r)
    {
        var headline = new List<HeadlineMetric>();
        foreach (var byModel in r.Attacks.GroupBy(a => a.Model))
        {
            // The first attack's success rate at the largest budget up to 0.1 (the panda figure's eps in pixel units).
            var first = byModel.First().Attack;
            var grid = byModel.Where(a => a.Attack == first && a.Eps > 0).ToList();
            var at = grid.Where(a => a.Eps <= 0.1 + 1e-9).MaxBy(a => a.Eps) ?? grid.MinBy(a => a.Eps);
            if (at is null) continue;
            headline.Add(new HeadlineMetric($"{at.Attack} success rate", at.SuccessRateCorrect, "percent", at.Model,
                $"{at.Norm} eps = {Num(at.Eps)}, over initially-correct samples"));
            var w = r.WorstCase.Where(x => x.Model == at.Model && x.Norm == at.Norm && Math.Abs(x.Eps - at.Eps) < 1e-12 && x.Attacks.Count > 1).MinBy(x => x.RobustAccuracy);
            if (w is not null)
                headline.Add(new HeadlineMetric("worst-case robust accuracy", w.RobustAccuracy, "percent", w.Model, $"{w.Norm} eps = {Num(w.Eps)}, {w.Attacks.Count} attacks"));
        }

        var curves = new List<CurveChart>();
        foreach (var byKey in r.Attacks.GroupBy(a => (a.Model, a.Norm)))
        {
            var series = byKey.GroupBy(a => a.Attack).Select(s =>
            {
                var pts = s.OrderBy(a => a.Eps).ToList();
                return new CurveSeries(s.Key, pts.Select(a => a.Eps).ToList(), pts.Select(a => a.RobustAccuracy).ToList());
            }).ToList();
            var wc = r.WorstCase.Where(w => w.Model == byKey.Key.Model && w.Norm == byKey.Key.Norm && w.Attacks.Count > 1).OrderBy(w => w.Eps).ToList();
            // The worst case is drawn only where it differs from every single attack (else it would hide that attack's line).
            bool differs = series.All(a => !a.X.SequenceEqual(wc.Select(w => w.Eps)) || !a.Y.SequenceEqual(wc.Select(w => w.RobustAccuracy)));
            if (wc.Count > 0 && differs && wc.Select(w => w.Eps).Distinct().Count() == wc.Count)
                series.Add(new CurveSeries("worst case", wc.Select(w => w.Eps).ToList(), wc.Select(w => w.RobustAccuracy).ToList()));
            curves.Add(new CurveChart($"Robust accuracy, {byKey.Key.Model} ({byKey.Key.Norm})", $"{byKey.Key.Norm} eps (pixel units)", "robust accuracy",
                series, 0, 1, "Fraction of test samples still classified correctly after the attack; eps 0 is clean accuracy." +
                (differs || wc.Count == 0 ? "" : " The per-sample worst case over the attacks equals the strongest attack's curve."), YPercent: true));
        }
        // Models side by side: the per-sample worst case over every attack, one line per model (the figure of Madry et al. 2017).
        foreach (var byNorm in r.WorstCase.GroupBy(w => w.Norm))
        {
            var models = byNorm.GroupBy(w => w.Model).Where(m => m.Select(w => w.Eps).Distinct().Count() == m.Count()).ToList();
            if (models.Count < 2) continue;
            curves.Add(new CurveChart($"Worst case over attacks, by model ({byNorm.Key})", $"{byNorm.Key} eps (pixel units)", "robust accuracy",
                models.Select(m => new CurveSeries(m.Key, m.OrderBy(w => w.Eps).Select(w => w.Eps).ToList(), m.OrderBy(w => w.Eps).Select(w => w.RobustAccuracy).ToList())).ToList(),
                0, 1, "Per-sample worst case over the attacks run together on the same samples.", YPercent: true));
        }

        var table = r.Attacks.Select(a => (IReadOnlyList<JsonNode?>)
        [
            a.Model, a.Attack, a.Norm, a.Eps, a.Targeted ? "yes" : "no", a.RobustAccuracy, Nan(a.SuccessRateCorrect), a.SuccessRateAll,
            Nan(a.MeanAdvConfidence), a.MaxLinf, a.MeanL2, Math.Round(a.Seconds, 2), a.GradientEvals ?? a.Queries, a.Samples,
        ]).ToList();
        var worstTable = r.WorstCase.Select(w => (IReadOnlyList<JsonNode?>)
        [
            w.Model, w.Norm, w.Eps, w.RobustAccuracy, string.Join(", ", w.Attacks),
            string.Join("; ", w.Flips.Take(3).Select(f => $"{f.From} -> {f.To} ({f.Count})")),
        ]).ToList();
        return new StageView
        {
            Title = "Attacks",
            Summary = "Each attack at each budget on the first test samples. Success rates are over initially-correct samples and over all samples; " +
                      "norms are measured on the returned, clipped images.",
            Headline = headline,
            Flags = r.Flags.Select(f => new SanityFlag("warning", f.Message, f.Model)).ToList(),
            Curves = curves,
            Tables =
            [
                new TableView("Attacks", ["model", "attack", "norm", "eps", "targeted", "robust acc", "success (correct)", "success (all)",
                    "adv confidence", "max linf", "mean l2", "seconds", "grads / queries per sample", "samples"], table),
                new TableView("Worst case", ["model", "norm", "eps", "robust acc", "attacks", "most frequent flips"], worstTable,
                    "A sample counts as robust only if every attack listed failed on it."),
            ],
        };
    }

    private static JsonNode? Nan(double v) => double.IsNaN(v) ? null : v;

    private static string Num(double v) => v.ToString("0.####", CultureInfo.InvariantCulture);
}
