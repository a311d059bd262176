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

    /// <summary>Settings <c>options</c> may give.</summary>
    public static readonly IReadOnlyList<string> OptionKeys = ["seeds", "l2", "tv", "blur_every", "blur_sigma", "image_size"];

    public StageOutput Run(StageContext context)
    {
        var s = context.SectionAs<VisualizeSection>();
        var extra = s.Options ?? new Dictionary<string, double>();
        foreach (var k in extra.Keys.Where(k => !OptionKeys.Contains(k)))
            throw new LabException($"visualize.options.{k}: unknown setting{DidYouMean.Hint(k, OptionKeys.ToList())}; valid: {string.Join(", ", OptionKeys)}");
        int seedCount = extra.TryGetValue("seeds", out var sc) ? (int)sc : 3;
        var seeds = Enumerable.Range(0, seedCount).Select(i => (int)(LabContext.DeriveSeed(context.Seed, 0x515 + i) & 0x7fffffff)).ToList();
        var options = new VisualizationOptions
        {
            Steps = s.Steps,
            LearningRate = s.LearningRate,
            Seeds = seeds,
            Parameterization = s.Param == "pixel" ? ParameterizationKind.Pixels : ParameterizationKind.Fourier,
            Decorrelate = s.Decorrelate,
            Transforms = s.Transforms,
            L2Weight = extra.GetValueOrDefault("l2"),
            TvWeight = extra.GetValueOrDefault("tv"),
            BlurEvery = (int)extra.GetValueOrDefault("blur_every"),
            BlurSigma = extra.GetValueOrDefault("blur_sigma", 0.5),
            ImageSize = (int)extra.GetValueOrDefault("image_size"),
        };
        var models = context.ModelsFor(s.Models);
        var entries = new List<VisualizationEntry>();
        var images = new List<FigureImage>();
        for (int m = 0; m < models.Count; m++)
        {
            var model = models[m];
            options.Validate(model.Model.Spec.Height, model.Model.Spec.Width);
            var objectives = new List<(Objective Objective, int? Class)>();
            foreach (var name in s.Classes ?? (s.Units is null ? model.Model.ClassNames : []))
            {
                int c = ObjectiveSpec.Class(name, model.Model.ClassNames);
                objectives.Add((Objectives.ClassLogit(c, model.Model.ClassNames[c]), c));
            }
            foreach (var unit in s.Units ?? [])
            {
                var parts = unit.Split(':');
                objectives.Add((Objectives.Channel(parts[0], int.Parse(parts[1], CultureInfo.InvariantCulture)), null));
            }
            var sheetImages = new List<ImageData>();
            var captions = new List<string>();
            var results = new List<(VisualizationResult Result, int? Class)>();
            for (int o = 0; o < objectives.Count; o++)
            {
                context.Cancel.ThrowIfCancellationRequested();
                int done = m * objectives.Count + o, total = models.Count * objectives.Count;
                var (objective, cls) = objectives[o];
                var progress = new SyncProgress<VisualizationProgress>(p =>
                    context.Report((done + (double)p.Step / p.Steps) / total, $"{model.Id}: {objective.Description} step {p.Step}/{p.Steps}"));
                var r = FeatureVisualizer.Render(model.Model, objective, options, progress, context.Cancel);
                results.Add((r, cls));
                for (int i = 0; i < r.Images.Count; i++)
                {
                    sheetImages.Add(r.Images[i]);
                    string label = cls is { } k ? model.Model.ClassNames[k] : objective.Description;
                    captions.Add(cls is { } kk ? (i == 0 ? $"{label} p={r.ClassProbabilities[i][kk]:F2}" : $"p={r.ClassProbabilities[i][kk]:F2}") : (i == 0 ? label : ""));
                }
            }
            int scale = Math.Max(2, 96 / Math.Max(model.Model.Spec.Height, model.Model.Spec.Width));
            var sheet = ContactSheet.Draw(sheetImages, seeds.Count, scale, captions, model.Id);
            var path = context.WriteFile($"{Slug(model.Id)}-sheet.png", st => st.Write(sheet.ToPngBytes()));
            foreach (var (r, cls) in results)
                entries.Add(new VisualizationEntry(model.Id, r.Objective, cls is { } k ? model.Model.ClassNames[k] : null, r.Seeds, r.Steps, r.FinalObjective,
                    cls is { } kk ? r.ClassProbabilities.Select(p => p[kk]).ToList() : null, r.Seconds, path));
            images.Add(new FigureImage(path, $"Feature visualisations of {model.Id}: {objectives.Count} objectives x {seeds.Count} seeds",
                $"{model.Id}: one row per objective, one column per seed; p = the model's probability of the class for that image.", "visualize"));
        }
        context.Report(1, "done");
        var probs = entries.Where(e => e.ClassProbability is not null).ToList();
        var view = new StageView
        {
            Title = "Feature visualisation",
            Summary = $"Inputs optimised to maximise each objective ({s.Steps} Adam steps, {s.Param} parametrisation, {s.Transforms} transforms).",
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
