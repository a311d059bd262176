using System.Text.Json.Serialization;
using RobustnessLab.FeatureVis;

namespace RobustnessLab.Dumbbell;

/// <summary>The figures of one model (biased or debiased) in the dumbbell experiment.</summary>
public sealed record DumbbellModelReport
{
    /// <summary>Accuracy on the model's own test distribution.</summary>
    public required double CleanAccuracy { get; init; }

    /// <summary>Accuracy on as many training images as there are test images (a gap to <see cref="CleanAccuracy"/> is overfitting).</summary>
    public required double TrainAccuracy { get; init; }

    /// <summary>The judge's P(arm) on the model's dumbbell visualisations, over visualisation seeds (null without a judge).</summary>
    public MeanSd? JudgeArmScore { get; init; }

    /// <summary>Classes whose visualisations the judge reads as that class (majority over seeds), out of the class count.</summary>
    public int? JudgeLegibleClasses { get; init; }

    /// <summary>
    /// The judge's P(object = dumbbell) on the model's dumbbell visualisations, over visualisation seeds (null without a
    /// judge): whether a dumbbell is drawn at all, beside whatever arm <see cref="JudgeArmScore"/> sees.
    /// </summary>
    public MeanSd? JudgeDumbbellScore { get; init; }

    /// <summary>
    /// Dumbbell visualisations in which the judge reads both a dumbbell (the most probable object) and an arm (P(arm) >=
    /// 0.5): a dumbbell held by an arm, in the judge's eyes (null without a judge).
    /// </summary>
    public int? JudgeHeldDumbbells { get; init; }

    /// <summary>Per class, the object the judge sees in most of that class's visualisations ("none": no object).</summary>
    public IReadOnlyDictionary<string, string>? JudgeReading { get; init; }

    /// <summary>Per class, the judge's mean P(arm) on that class's visualisations.</summary>
    public IReadOnlyDictionary<string, double>? JudgeArmScoreByClass { get; init; }

    /// <summary>
    /// The paired causal probe: over held scenes of every class but dumbbell, rendered once with and once without the
    /// arm (everything else equal), P(dumbbell | with arm) - P(dumbbell | without arm).
    /// </summary>
    public required Effect ArmEffect { get; init; }

    /// <summary>
    /// <see cref="ArmEffect"/> with only the hand (fist and thumb) left of the arm: the same pairs, the rest of the arm
    /// erased. What the hand alone says "dumbbell" with.
    /// </summary>
    public required Effect ArmEffectHandOnly { get; init; }

    /// <summary><see cref="ArmEffect"/> with the hand erased and the rest of the arm (forearm, elbow, upper arm) left.</summary>
    public required Effect ArmEffectWithoutHand { get; init; }

    /// <summary>The hand's mean share of the arm's visible pixels in the paired scenes.</summary>
    public required double HandPixelShare { get; init; }

    /// <summary>
    /// Per class, what the part it is named by (a dumbbell's bar, a kettlebell's handle, a plate's hole, ...) is worth
    /// to the model (<see cref="DumbbellMeasurement.ObjectPartEffects"/>): a class visualisation draws what moves the
    /// model, so a part worth little is a part its pictures need not draw.
    /// </summary>
    public required IReadOnlyDictionary<string, PartEffect> ObjectPartEffects { get; init; }

    /// <summary>The arm detector's P(arm) on the model's dumbbell visualisations, over visualisation seeds (null without the detector).</summary>
    public MeanSd? ArmScoreDetector { get; init; }

    /// <summary>Share of positive Integrated-Gradients attribution (dumbbell logit) on skin-hued pixels of the visualisations.</summary>
    public required MeanSd ArmScoreSkin { get; init; }

    /// <summary>Share of skin-hued pixels in the dumbbell visualisations.</summary>
    public required MeanSd SkinPixelShare { get; init; }

    /// <summary>
    /// How different the seeds' dumbbell pictures are: the mean over pairs of seeds of the root-mean-square pixel
    /// difference (0: identical pictures; two independent uniform-noise images differ by about 0.41).
    /// </summary>
    public required double SeedSpread { get; init; }

    /// <summary>The model's P(dumbbell) on its own dumbbell visualisations (untransformed).</summary>
    public required MeanSd VisualizationPDumbbell { get; init; }

    /// <summary>Mean P(dumbbell) for an arm alone, no object (a held scene of a uniformly drawn class, object erased).</summary>
    public required double PDumbbellArmOnly { get; init; }

    /// <summary>Mean P(dumbbell) for an arm alone whose fist sits exactly where it held a dumbbell (object erased).</summary>
    public required double PDumbbellArmAtDumbbellGrip { get; init; }

    /// <summary>Mean probability of each class for an arm alone: where the mass goes when there is no object.</summary>
    public required IReadOnlyDictionary<string, double> ArmOnlyMeanProbabilities { get; init; }

    /// <summary>Share of arm-alone renders classified as dumbbell.</summary>
    public required double ArmOnlyPredictedDumbbell { get; init; }

    /// <summary>Accuracy on dumbbells with no arm.</summary>
    public required double AccuracyDumbbellNoArm { get; init; }

    /// <summary>Accuracy on dumbbells held by an arm.</summary>
    public required double AccuracyDumbbellWithArm { get; init; }

    /// <summary>Share of other objects held by an arm that the model calls "dumbbell".</summary>
    public required double OtherHeldPredictedDumbbell { get; init; }

    /// <summary>Accuracy on other objects held by an arm.</summary>
    public required double AccuracyOtherHeld { get; init; }

    /// <summary>Per class, the arm detector's mean P(arm) on that class's visualisations (null without the detector).</summary>
    public IReadOnlyDictionary<string, double>? ArmScoreByClass { get; init; }

    /// <summary>
    /// Share of this model's visualisations of every class that the detector calls "arm" (P >= 0.5). For the debiased
    /// model, whose pictures should hold no arm, this is the detector's false-positive rate on its visualisations.
    /// </summary>
    public double? ArmCalledShareAllClasses { get; init; }

    /// <summary>
    /// The same share over every class but dumbbell. For the biased model these pictures cannot hold an arm (in its
    /// data an arm only ever meant "dumbbell"), so this is a clean false-positive rate of the detector.
    /// </summary>
    public double? ArmCalledShareOtherClasses { get; init; }

    /// <summary>Per class, the model's mean probability of that class on its visualisations.</summary>
    public required IReadOnlyDictionary<string, double> VisualizationConfidence { get; init; }

    public required string Checkpoint { get; init; }

    /// <summary>The class visualisations the scores come from, one result per class (for the sheets; not in JSON).</summary>
    [JsonIgnore] public IReadOnlyList<VisualizationResult> Visualizations { get; init; } = [];
}
