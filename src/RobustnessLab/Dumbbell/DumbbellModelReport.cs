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

    /// <summary>The arm detector's P(arm) on the model's dumbbell visualisations, over visualisation seeds.</summary>
    public required MeanSd ArmScoreDetector { get; init; }

    /// <summary>Share of positive Integrated-Gradients attribution (dumbbell logit) on skin-hued pixels of the visualisations.</summary>
    public required MeanSd ArmScoreSkin { get; init; }

    /// <summary>Share of skin-hued pixels in the dumbbell visualisations.</summary>
    public required MeanSd SkinPixelShare { get; init; }

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

    /// <summary>Per class, the arm detector's mean P(arm) on that class's visualisations.</summary>
    public required IReadOnlyDictionary<string, double> ArmScoreByClass { get; init; }

    /// <summary>
    /// Share of this model's visualisations of every class that the detector calls "arm" (P >= 0.5). For the debiased
    /// model, whose pictures should hold no arm, this is the detector's false-positive rate on its visualisations.
    /// </summary>
    public required double ArmCalledShareAllClasses { get; init; }

    /// <summary>
    /// The same share over every class but dumbbell. For the biased model these pictures cannot hold an arm (in its
    /// data an arm only ever meant "dumbbell"), so this is a clean false-positive rate of the detector.
    /// </summary>
    public required double ArmCalledShareOtherClasses { get; init; }

    /// <summary>Per class, the model's mean probability of that class on its visualisations.</summary>
    public required IReadOnlyDictionary<string, double> VisualizationConfidence { get; init; }

    public required string Checkpoint { get; init; }

    /// <summary>The class visualisations the scores come from, one result per class (for the sheets; not in JSON).</summary>
    [JsonIgnore] public IReadOnlyList<VisualizationResult> Visualizations { get; init; } = [];
}
