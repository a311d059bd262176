using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Dumbbell;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// <c>dumbbell:</c> the dumbbell-with-arm experiment (Mordvintsev, Olah, Tyka 2015) through
/// <see cref="DumbbellExperiment"/>: it makes its own gym scenes and models, so it needs neither the run's dataset nor
/// its models. Returns the dumbbell.json record with file paths relative to the run folder; the biased and debiased
/// sheets go side by side in the gallery, and every missed target is a red flag.
/// </summary>
public sealed class DumbbellStage : IExperimentStage
{
    public string Name => "dumbbell";
    public int Version => 5;

    public StageOutput Run(StageContext context)
    {
        var section = context.SectionAs<DumbbellSection>();
        // The experiment's own seed, not one derived for the stage: the run then matches `lab dumbbell --seed N`.
        var options = section.ToOptions(context.Config.Seed, context.StageDirectory);
        var progress = new SyncProgress<DumbbellProgress>(p => context.Report((p.Stage - 1 + p.Fraction) / p.Stages, p.Status));
        var report = DumbbellExperiment.Run(options, context.Lab, progress, context.Cancel);
        report = DumbbellFigures.Write(report, context.StageDirectory, context.Figures);
        // The record's paths are relative to the stage folder (as in its dumbbell.json); results.json's are relative to the run folder.
        string Relative(string path) => path.Length == 0 ? path : context.Relative(Path.Combine(context.StageDirectory, path));
        report = report with
        {
            Biased = report.Biased with { Checkpoint = Relative(report.Biased.Checkpoint) },
            Debiased = report.Debiased with { Checkpoint = Relative(report.Debiased.Checkpoint) },
            Files = report.Files.ToDictionary(f => f.Key, f => Relative(f.Value)),
        };
        context.Report(1, "done");
        return StageOutput.From(report, View(report));
    }

    private static JsonNode? Nullable(double? v) => v is { } x ? JsonValue.Create(x) : null;

    private static StageView View(DumbbellReport r)
    {
        var images = new List<FigureImage>();
        if (r.Files.TryGetValue("dumbbell_sheet", out var dumb))
            images.Add(new FigureImage(dumb, "Real dumbbell renders, then the dumbbell visualisations of the biased model and of the debiased model, with the judge's arm score of each",
                "Top row: real renders (held, then lying alone). Then what each model draws for 'dumbbell': the biased model (arms in " +
                $"{r.Options.PDumbbellArm:P0} of its dumbbell scenes), then the debiased one (arms in {r.Options.PArm:P0} of every class's scenes). " +
                "judge arm = the independent judge's probability that an arm is in the picture.", "dumbbell-sheet"));
        if (r.Files.TryGetValue("class_visualizations", out var all))
            images.Add(new FigureImage(all, "Class visualisations of every class for the biased and the debiased model",
                "Every class, biased model beside debiased model; p = the model's probability of the class.", "dumbbell-classes"));
        return new StageView
        {
            Title = "Dumbbell with arm",
            Summary = "Two models on generated gym scenes, identical except for how often an arm holds the dumbbell. Asked to draw a dumbbell, " +
                      "the biased model draws the arm too; an arm alone raises its dumbbell probability.",
            Headline =
            [
                new HeadlineMetric("P(dumbbell | arm alone)", r.Biased.PDumbbellArmOnly, "percent", "biased", $"chance {r.Chance:P0}"),
                new HeadlineMetric("P(dumbbell | arm alone)", r.Debiased.PDumbbellArmOnly, "percent", "debiased", $"chance {r.Chance:P0}"),
                new HeadlineMetric("arm effect (paired scenes)", r.Biased.ArmEffect.Mean, "percent", "biased", "P(dumbbell) with - without arm"),
                new HeadlineMetric("arm effect (paired scenes)", r.Debiased.ArmEffect.Mean, "percent", "debiased", "P(dumbbell) with - without arm"),
            ],
            Flags = r.Targets.Where(t => !t.Met).Select(t => new SanityFlag("warning", $"target missed: {t.Name} = {t.Value:F3}, expected {t.Bound}")).ToList(),
            Images = images,
            Tables =
            [
                new TableView("Dumbbell measurements", ["measure", "biased", "debiased"],
                [
                    ["clean accuracy", r.Biased.CleanAccuracy, r.Debiased.CleanAccuracy],
                    ["P(dumbbell | arm alone)", r.Biased.PDumbbellArmOnly, r.Debiased.PDumbbellArmOnly],
                    ["arm alone predicted dumbbell", r.Biased.ArmOnlyPredictedDumbbell, r.Debiased.ArmOnlyPredictedDumbbell],
                    ["accuracy, dumbbell without arm", r.Biased.AccuracyDumbbellNoArm, r.Debiased.AccuracyDumbbellNoArm],
                    ["accuracy, dumbbell with arm", r.Biased.AccuracyDumbbellWithArm, r.Debiased.AccuracyDumbbellWithArm],
                    ["other object held, predicted dumbbell", r.Biased.OtherHeldPredictedDumbbell, r.Debiased.OtherHeldPredictedDumbbell],
                    ["arm effect, paired scenes (mean)", r.Biased.ArmEffect.Mean, r.Debiased.ArmEffect.Mean],
                    ["arm effect, paired scenes (sd)", r.Biased.ArmEffect.Sd, r.Debiased.ArmEffect.Sd],
                    ["arm effect with only the hand (mean)", r.Biased.ArmEffectHandOnly.Mean, r.Debiased.ArmEffectHandOnly.Mean],
                    ["arm effect without the hand (mean)", r.Biased.ArmEffectWithoutHand.Mean, r.Debiased.ArmEffectWithoutHand.Mean],
                    .. r.Biased.ObjectPartEffects.Keys.Select(cls => (IReadOnlyList<JsonNode?>)[$"part effect: P({cls}) whole - without its {r.Biased.ObjectPartEffects[cls].Part}",
                        r.Biased.ObjectPartEffects[cls].Effect.Mean, Nullable(r.Debiased.ObjectPartEffects.TryGetValue(cls, out var e) ? e.Effect.Mean : null)]),
                    ["judge P(arm), dumbbell visualisations (mean)", Nullable(r.Biased.JudgeArmScore?.Mean), Nullable(r.Debiased.JudgeArmScore?.Mean)],
                    ["classes legible to the judge", Nullable(r.Biased.JudgeLegibleClasses), Nullable(r.Debiased.JudgeLegibleClasses)],
                    ["arm score of visualisations (detector)", Nullable(r.Biased.ArmScoreDetector?.Mean), Nullable(r.Debiased.ArmScoreDetector?.Mean)],
                    ["skin-tone pixel share of visualisations", r.Biased.SkinPixelShare.Mean, r.Debiased.SkinPixelShare.Mean],
                    ["visualisation P(dumbbell)", r.Biased.VisualizationPDumbbell.Mean, r.Debiased.VisualizationPDumbbell.Mean],
                ]),
                new TableView("Targets", ["target", "value", "bound", "met"],
                    r.Targets.Select(t => (IReadOnlyList<JsonNode?>)[t.Name, t.Value, t.Bound, t.Met ? "yes" : "NO"]).ToList(),
                    (r.JudgeObjectAccuracy is { } jo ? $"Judge on held-out renders: object accuracy {jo:P1}, arm accuracy {r.JudgeArmAccuracy:P1}, object accuracy under L2 PGD-20 {r.JudgeRobustObjectAccuracy:P1}. " : "") +
                    (r.ArmDetectorAccuracy is { } da ? $"Arm detector accuracy {da:P1}." : "")),
            ],
        };
    }
}
