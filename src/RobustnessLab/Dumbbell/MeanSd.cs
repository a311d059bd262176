namespace RobustnessLab.Dumbbell;

/// <summary>Mean and (sample) standard deviation of a few values, with the values themselves.</summary>
public sealed record MeanSd(double Mean, double Sd, IReadOnlyList<double> Values)
{
    public static MeanSd Of(IReadOnlyList<double> values)
    {
        double mean = values.Count == 0 ? double.NaN : values.Average();
        double sd = values.Count < 2 ? 0 : Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Count - 1));
        return new MeanSd(mean, sd, values);
    }
}
