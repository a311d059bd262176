namespace RobustnessLab.Fooling;

/// <summary>Where gradient-ascent fooling starts.</summary>
public enum GradientStart
{
    /// <summary>Uniform noise in [0,1] (seeded).</summary>
    Noise,

    /// <summary>A flat 0.5 image: the result owes nothing to a random start.</summary>
    Grey,
}
