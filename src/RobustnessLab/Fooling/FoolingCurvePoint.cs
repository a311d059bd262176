namespace RobustnessLab.Fooling;

/// <summary>
/// The best confidence of every searched class after one generation (or gradient step). <see cref="LogOdds"/>
/// carries the unsaturated value (see <see cref="ClassLogOdds"/>); both arrays follow the result's class order.
/// </summary>
public sealed record FoolingCurvePoint(int Iteration, double Seconds, double[] Confidence, double[] LogOdds);
