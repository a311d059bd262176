using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// A random image transformation applied before each forward pass ([B,C,H,W] in, [B,C,H',W'] out, values kept in the
/// input's range). Randomness comes from <paramref name="rng"/> only, so a run is reproducible. Called inside the
/// caller's dispose scope.
/// </summary>
public delegate Tensor ImageTransform(Tensor image, Random rng);
