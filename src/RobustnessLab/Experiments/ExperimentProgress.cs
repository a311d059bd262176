namespace RobustnessLab.Experiments;

/// <summary>Progress of a whole run, for one progress display: overall fraction, and where the run is.</summary>
public sealed record ExperimentProgress(double Fraction, string Point, string Stage, string Status);
