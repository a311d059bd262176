using RobustnessLab.Core;
using RobustnessLab.Data.Gym;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// Fresh renders for the counterfactual probes. An arm alone is a held scene with its object erased, the held class
/// drawn uniformly (so the fist sits where hands go for every class); <see cref="ArmAtDumbbellGrip"/> erases a held
/// dumbbell only. <see cref="OtherWithArm"/> and <see cref="OtherWithoutArm"/> are the paired causal probe: the same
/// held-out scenes of every class but dumbbell (same seed, so the same object, pose, floor and clutter), rendered once
/// with the arm and once without. <see cref="Intact"/> and <see cref="WithoutPart"/> are the object-part probe: arm-free
/// scenes of every class in turn, rendered once whole and once without the part the object is named by
/// (<see cref="GymScenes.PartNames"/>).
/// </summary>
public sealed record DumbbellProbes(
    IReadOnlyList<GymRender> ArmOnly,
    IReadOnlyList<GymRender> DumbbellNoArm,
    IReadOnlyList<GymRender> DumbbellArm,
    IReadOnlyList<GymRender> OtherHeld,
    IReadOnlyList<GymRender> ArmAtDumbbellGrip,
    IReadOnlyList<GymRender> OtherWithArm,
    IReadOnlyList<GymRender> OtherWithoutArm,
    IReadOnlyList<GymRender> Intact,
    IReadOnlyList<GymRender> WithoutPart)
{
    /// <summary><see cref="DumbbellOptions.ProbeCount"/> renders of each probe, from streams derived from the experiment's seed.</summary>
    public static DumbbellProbes Render(DumbbellOptions o)
    {
        long s = (long)LabContext.DeriveSeed(o.Seed, 0x9E0BE);
        int n = o.ProbeCount, k = GymScenes.ClassNames.Count;
        List<GymRender> Make(int stream, Func<int, int> cls, bool arm, int grip = -1, bool withoutPart = false) =>
            CpuParallel.Map(n, i => GymRenderer.Render(new GymSceneRequest(o.Size, cls(i), arm, (long)LabContext.DeriveSeed(s + stream, i), GripClass: grip,
                WithoutPart: withoutPart))).ToList();
        return new DumbbellProbes(
            Make(1, _ => -1, true),
            Make(2, _ => GymScenes.DumbbellIndex, false),
            Make(3, _ => GymScenes.DumbbellIndex, true),
            Make(4, i => 1 + i % (k - 1), true),
            Make(5, _ => -1, true, GymScenes.DumbbellIndex),
            Make(6, i => 1 + i % (k - 1), true),
            Make(6, i => 1 + i % (k - 1), false),
            Make(7, i => i % k, false),
            Make(7, i => i % k, false, withoutPart: true));
    }
}
