namespace RobustnessLab.Data.Gym;

/// <summary>
/// What to render: image size, object class (index into <see cref="GymScenes.ClassNames"/>, or -1 for no object),
/// whether an arm grips it, and the scene seed. The seed fixes everything else (pose, colours, background, clutter,
/// the arm's tone and angle), so the same request with and without an arm differs only in the arm's pixels.
/// <paramref name="NoiseBackground"/> replaces the floor with saturated 1/f colour noise (the statistics of feature
/// visualisations), used to train an arm detector that judges arms by tone and shape rather than by the floor.
/// </summary>
public sealed record GymSceneRequest(int Size, int ClassIndex, bool Arm, long Seed, bool NoiseBackground = false);
