using RobustnessLab.Core;

namespace RobustnessLab.Attacks;

/// <summary>
/// What a fixed-epsilon attack is asked for. Robust accuracy and success rates need only one adversarial example per
/// sample, so a sample that is already adversarial can leave the batch (AutoAttack evaluates only the points still
/// robust, Croce and Hein 2020, arXiv:2003.01690); adversarial training and loss curves need the highest-loss point in
/// the ball, so every sample runs every step.
/// </summary>
public enum AttackMode
{
    /// <summary>Every sample runs every step and restart; each keeps its worst case (successful first, then highest loss).</summary>
    MaximizeLoss,

    /// <summary>A sample stops at its first adversarial iterate, which is the example returned; the others run on.</summary>
    EarlyStop,
}

/// <summary>The modes' names as configs, the CLI and result records spell them.</summary>
public static class AttackModes
{
    public const string EarlyStopName = "early-stop";
    public const string MaximizeLossName = "max-loss";

    public static string Name(this AttackMode mode) => mode == AttackMode.EarlyStop ? EarlyStopName : MaximizeLossName;

    public static AttackMode Parse(string text, string what = "mode") => text.Trim().ToLowerInvariant() switch
    {
        EarlyStopName => AttackMode.EarlyStop,
        MaximizeLossName => AttackMode.MaximizeLoss,
        _ => throw new LabException($"{what} '{text}' is not a mode; valid: {EarlyStopName}, {MaximizeLossName}"),
    };
}
