namespace RobustnessLab.Dumbbell;

/// <summary>A mean difference over paired samples, its sample standard deviation and the number of pairs.</summary>
public sealed record Effect(double Mean, double Sd, int N)
{
    public static Effect Of(IReadOnlyList<double> differences)
    {
        double mean = differences.Count == 0 ? double.NaN : differences.Average();
        double sd = differences.Count < 2 ? 0 : Math.Sqrt(differences.Sum(v => (v - mean) * (v - mean)) / (differences.Count - 1));
        return new Effect(mean, sd, differences.Count);
    }
}

/// <summary>
/// What one object part is worth to a model: over arm-free scenes of the class, rendered whole and without the part
/// (<see cref="Data.Gym.GymSceneRequest.WithoutPart"/>), P(class | whole) - P(class | without the part), and the two
/// mean probabilities.
/// </summary>
public sealed record PartEffect(string Part, Effect Effect, double PWhole, double PWithoutPart);
