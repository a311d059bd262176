namespace RobustnessLab.Fooling;

/// <summary>
/// What a fooling search returns: one champion per searched class, the confidence curve, and how far it ran.
/// <see cref="Iterations"/> counts generations (evolution) or steps (gradient); <see cref="Cancelled"/> says it was
/// stopped early, in which case the champions are the best found so far.
/// </summary>
public sealed record FoolingSearchResult
{
    public required FoolingMethod Method { get; init; }
    public required IReadOnlyList<FoolingChampion> Champions { get; init; }
    public required IReadOnlyList<FoolingCurvePoint> Curve { get; init; }
    public required int Iterations { get; init; }
    /// <summary>Images scored by the model (population x generations, or classes x steps).</summary>
    public required long Evaluations { get; init; }
    public required double Seconds { get; init; }
    public required bool Cancelled { get; init; }
}
