namespace RobustnessLab.FeatureVis;

/// <summary>How the optimised image is represented.</summary>
public enum ParameterizationKind
{
    /// <summary>One free value per pixel and channel (then sigmoid).</summary>
    Pixels,

    /// <summary>Fourier coefficients scaled by 1/frequency (Olah et al. 2017), then sigmoid: a decorrelated, natural-spectrum basis.</summary>
    Fourier,
}
