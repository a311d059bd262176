namespace RobustnessLab.Dumbbell;

/// <summary>Everything the dumbbell experiment measured (written as dumbbell.json).</summary>
public sealed record DumbbellReport
{
    public required DumbbellOptions Options { get; init; }
    public required IReadOnlyList<string> ClassNames { get; init; }
    public required double Chance { get; init; }
    public required DumbbellModelReport Biased { get; init; }
    public required DumbbellModelReport Debiased { get; init; }
    /// <summary>The judge's object accuracy on held-out renders (null at a scale without a judge).</summary>
    public double? JudgeObjectAccuracy { get; init; }

    /// <summary>The judge's arm accuracy (P(arm) >= 0.5 when an arm is there) on held-out renders.</summary>
    public double? JudgeArmAccuracy { get; init; }

    /// <summary>The judge's object accuracy on the same renders under L2 PGD-20 at its training budget.</summary>
    public double? JudgeRobustObjectAccuracy { get; init; }

    /// <summary>The judge's object accuracy on held-out renders with the scenes' own floors.</summary>
    public double? JudgeObjectAccuracyPlainFloor { get; init; }

    /// <summary>The judge's object accuracy on held-out renders on 1/f noise floors (null: none held out).</summary>
    public double? JudgeObjectAccuracyNoiseFloor { get; init; }

    /// <summary>The arm detector's accuracy on held-out renders (with and without arms); null without the detector.</summary>
    public double? ArmDetectorAccuracy { get; init; }

    /// <summary>Share of held-out arm-free visualisations (the control model's, unseen seeds) the detector calls "arm".</summary>
    public double? ArmDetectorVisFalsePositiveRate { get; init; }

    /// <summary>Share of the same visualisations with an arm pasted in that the detector calls "arm".</summary>
    public double? ArmDetectorVisTruePositiveRate { get; init; }

    /// <summary>Clean accuracy of the control model (trained with no arms) whose visualisations train the detector.</summary>
    public double? ControlAccuracy { get; init; }
    /// <summary>Generator pictures: mean squared pixel error of the prior's reconstructions of held-out debiased renders (null for other methods).</summary>
    public double? PriorReconstructionError { get; init; }

    /// <summary>The same error for drawing every held-out render as the mean render: what a prior that learnt nothing scores.</summary>
    public double? PriorMeanImageError { get; init; }

    /// <summary>Seconds spent training the prior.</summary>
    public double? PriorSeconds { get; init; }

    /// <summary>Generator pictures with the judge: its object accuracy on fresh renders (the scenes' own floors, every class, half held).</summary>
    public double? JudgeObjectAccuracyPriorRenders { get; init; }

    /// <summary>
    /// The same on the prior's reconstructions of those renders: what the judge can read of anything the prior draws,
    /// so an upper bound, in practice, on the legibility of pictures drawn through it and not refined
    /// (<see cref="DumbbellOptions.VisRefineSteps"/> 0).
    /// </summary>
    public double? JudgeObjectAccuracyPriorReconstructions { get; init; }

    public required IReadOnlyList<DumbbellTarget> Targets { get; init; }
    public required IReadOnlyDictionary<string, string> Files { get; init; }
    public required double Seconds { get; init; }

    /// <summary>
    /// Wall seconds of each part in the order it ran (a dictionary filled in that order): biased_model and debiased_model (rendering and training),
    /// prior, judge, arm_detector (each only when the scale has it), visualise_biased, visualise_debiased and measure
    /// (arm scores and probes). They add up to <see cref="Seconds"/>.
    /// </summary>
    public IReadOnlyDictionary<string, double> StageSeconds { get; init; } = new Dictionary<string, double>();
}
