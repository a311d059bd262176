using System.Diagnostics;

namespace RobustnessLab.Fooling;

/// <summary>
/// Bookkeeping shared by the searches: best log-odds per class, when each champion was found, when each threshold
/// was first reached, and the curve. Holds no tensors.
/// </summary>
internal sealed class SearchRecorder
{
    private readonly double[] thresholdLogOdds;
    private readonly int?[,] crossedAt;
    private readonly double?[,] crossedSeconds;
    private readonly List<FoolingCurvePoint> curve = [];
    private readonly Stopwatch clock = Stopwatch.StartNew();

    public SearchRecorder(int classes, IReadOnlyList<double> thresholds)
    {
        Thresholds = thresholds.OrderBy(t => t).ToArray();
        thresholdLogOdds = Thresholds.Select(ClassLogOdds.FromConfidence).ToArray();
        Best = Enumerable.Repeat(double.NegativeInfinity, classes).ToArray();
        FoundAt = new int[classes];
        FoundAtSeconds = new double[classes];
        crossedAt = new int?[classes, Thresholds.Length];
        crossedSeconds = new double?[classes, Thresholds.Length];
    }

    public double[] Thresholds { get; }
    public double[] Best { get; }
    public int[] FoundAt { get; }
    public double[] FoundAtSeconds { get; }
    public IReadOnlyList<FoolingCurvePoint> Curve => curve;
    public double Seconds => clock.Elapsed.TotalSeconds;

    /// <summary>Offers a new log-odds for a class; true when it beats the champion.</summary>
    public bool Offer(int cell, double logOdds, int iteration)
    {
        if (!(logOdds > Best[cell])) return false;
        Best[cell] = logOdds;
        FoundAt[cell] = iteration;
        FoundAtSeconds[cell] = Seconds;
        return true;
    }

    /// <summary>Closes an iteration: records threshold crossings and a curve point.</summary>
    public void EndIteration(int iteration)
    {
        double s = Seconds;
        for (int c = 0; c < Best.Length; c++)
            for (int t = 0; t < Thresholds.Length; t++)
                if (crossedAt[c, t] is null && Best[c] >= thresholdLogOdds[t])
                {
                    crossedAt[c, t] = iteration;
                    crossedSeconds[c, t] = s;
                }
        curve.Add(new FoolingCurvePoint(iteration, s, Best.Select(ClassLogOdds.ToConfidence).ToArray(), (double[])Best.Clone()));
    }

    public IReadOnlyList<ThresholdCrossing> Crossings(int cell) =>
        Enumerable.Range(0, Thresholds.Length).Select(t => new ThresholdCrossing(Thresholds[t], crossedAt[cell, t], crossedSeconds[cell, t])).ToArray();

    /// <summary>Classes whose champion has reached the highest threshold.</summary>
    public int AtTop => Best.Count(b => b >= thresholdLogOdds[^1]);

    public double MinConfidence => Best.Length == 0 ? 0 : ClassLogOdds.ToConfidence(Best.Min());

    public FoolingProgress Progress(int iteration, int total) =>
        new("search", iteration, total, MinConfidence, AtTop, Best.Length, Seconds);
}
