namespace RobustnessLab.Fooling;

/// <summary>When a class's best confidence first reached a threshold: the generation (or gradient step) and the
/// seconds since the search started; both null when it never did.</summary>
public sealed record ThresholdCrossing(double Threshold, int? Iteration, double? Seconds)
{
    public bool Reached => Iteration is not null;
}
