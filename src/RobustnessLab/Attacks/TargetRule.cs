namespace RobustnessLab.Attacks;

/// <summary>How a targeted attack picks each sample's target class.</summary>
public enum TargetRule
{
    /// <summary>One class given by the caller, the same for every sample.</summary>
    Given,

    /// <summary>The class the model finds least likely on the clean input (Kurakin 2016, "ILLC").</summary>
    LeastLikely,

    /// <summary>A class drawn uniformly from those other than the true label.</summary>
    Random,
}
