namespace RobustnessLab.FeatureVis;

/// <summary>Input-attribution methods for a class logit.</summary>
public enum AttributionMethod
{
    /// <summary>The input gradient (Simonyan, Vedaldi, Zisserman 2013, arXiv:1312.6034).</summary>
    Gradient,

    /// <summary>The gradient averaged over noisy copies (Smilkov et al. 2017, arXiv:1706.03825).</summary>
    SmoothGrad,

    /// <summary>(x - baseline) times the gradient averaged along the straight path (Sundararajan et al. 2017, arXiv:1703.01365).</summary>
    IntegratedGradients,
}
