namespace RobustnessLab.Data.Gym;

/// <summary>
/// What to render: image size, object class (index into <see cref="GymScenes.ClassNames"/>, or -1 for no object),
/// whether an arm grips it, and the scene seed. The seed fixes everything else (pose, colours, background, clutter,
/// the arm's tone and angle), so the same request with and without an arm differs only in the arm's pixels.
/// </summary>
public sealed record GymSceneRequest(int Size, int ClassIndex, bool Arm, long Seed);
