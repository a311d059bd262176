namespace RobustnessLab.Data.Gym;

/// <summary>
/// One rendered gym scene: RGB pixels (CHW, [0,1]) and masks (H*W, row-major) of the pixels where the object and the
/// arm are the topmost layer; <see cref="HandMask"/> is the part of <see cref="ArmMask"/> that is the hand (the fist
/// and thumb). <see cref="Label"/> is -1 for a scene with no object (an arm alone, or only clutter).
/// </summary>
public sealed record GymRender(int Size, int Label, bool Arm, float[] Pixels, bool[] ObjectMask, bool[] ArmMask, bool[] HandMask);
