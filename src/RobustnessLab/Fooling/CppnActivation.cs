namespace RobustnessLab.Fooling;

/// <summary>
/// Node functions of the fooling paper's CPPNs (Nguyen et al. 2015: sine, sigmoid, Gaussian, linear). Sigmoid and
/// Gaussian are used in their bipolar forms (range [-1, 1]) as in Picbreeder/HyperNEAT, so that no function biases the
/// image towards white.
/// </summary>
public enum CppnActivation
{
    Sine,
    Sigmoid,
    Gaussian,
    Linear,
}
