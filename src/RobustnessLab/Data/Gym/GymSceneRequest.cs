namespace RobustnessLab.Data.Gym;

/// <summary>
/// What to render: image size, object class (index into <see cref="GymScenes.ClassNames"/>, or -1 for no object),
/// whether an arm grips it, and the scene seed. The seed fixes everything else (pose, colours, background, clutter,
/// the arm's tone and angle), so the same request with and without an arm differs only in the arm's pixels.
/// <paramref name="NoiseBackground"/> replaces the floor with saturated 1/f colour noise (the statistics of feature
/// visualisations), used to train an arm detector that judges arms by tone and shape rather than by the floor.
/// <paramref name="GripClass"/> matters only for a scene with no object (<paramref name="ClassIndex"/> -1) and an arm:
/// the arm grips where an object of that class would be held; -1 draws that class uniformly from the seed.
/// <paramref name="SkinTonedObject"/> paints the object in skin or orange tones (arm-detector training only: the
/// classes' data never has skin-coloured objects, so "skin-hued pixels" keeps meaning "arm" there).
/// <paramref name="PlainFloor"/> paints the floor as a smooth two-colour gradient instead of planks, tiles or speckles
/// (everything else, clutter included, unchanged): scenes for a generator prior, whose capacity then goes to objects
/// and arms rather than floor texture.
/// <paramref name="WithoutPart"/> draws the object without the part a person names it by
/// (<see cref="GymScenes.PartNames"/>: a dumbbell's or barbell's bar, a kettlebell's handle, a plate's hole, a medicine
/// ball's seams, a bottle's cap); every other pixel and random choice is the intact scene's, so the pair measures what
/// that part is worth to a model.
/// </summary>
public sealed record GymSceneRequest(int Size, int ClassIndex, bool Arm, long Seed, bool NoiseBackground = false, int GripClass = -1, bool SkinTonedObject = false,
    bool PlainFloor = false, bool WithoutPart = false);
