namespace RobustnessLab.Fooling;

/// <summary>Progress of a fooling search, reported once per generation or step.</summary>
/// <param name="Phase">"search", "measure" (distances, transfer) or "rubbish".</param>
/// <param name="Iteration">Generations or steps done.</param>
/// <param name="Total">Generations or steps planned.</param>
/// <param name="MinConfidence">Lowest best-confidence over the searched classes.</param>
/// <param name="ClassesAtTop">Classes whose best confidence has reached the highest tracked threshold.</param>
/// <param name="Classes">Number of searched classes.</param>
/// <param name="Seconds">Seconds since the search started.</param>
public sealed record FoolingProgress(string Phase, int Iteration, int Total, double MinConfidence, int ClassesAtTop, int Classes, double Seconds);
