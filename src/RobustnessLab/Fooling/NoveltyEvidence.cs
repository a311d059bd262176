namespace RobustnessLab.Fooling;

/// <summary>
/// How far a fooling image is from the training set compared with real members of its class (see
/// <see cref="NearestTrainingImage"/>). Distances are L2 in [0,1] pixel units.
/// </summary>
/// <param name="ClassIndex">The class the image fools the model into.</param>
/// <param name="NearestTrainL2">Distance to the nearest training image of any class.</param>
/// <param name="NearestTrainLabel">That training image's label.</param>
/// <param name="NearestTrainIndex">That training image's row in the training set.</param>
/// <param name="WithinClassNearestL2Median">Median, over held-out images of the class, of the distance to their nearest same-class training image.</param>
/// <param name="WithinClassPairL2Median">Median distance between a held-out image of the class and a training image of the class.</param>
/// <param name="ReferenceCount">Held-out images used.</param>
public sealed record NoveltyEvidence(int ClassIndex, double NearestTrainL2, int NearestTrainLabel, long NearestTrainIndex,
    double WithinClassNearestL2Median, double WithinClassPairL2Median, int ReferenceCount)
{
    /// <summary>Nearest-training distance over the typical nearest-neighbour distance of real class members (> 1: farther than real members).</summary>
    public double NearestRatio => NearestTrainL2 / WithinClassNearestL2Median;
}
