namespace RobustnessLab.Dumbbell;

/// <summary>Progress of the dumbbell experiment: stage number of stages, and a status line.</summary>
public sealed record DumbbellProgress(int Stage, int Stages, double Fraction, string Status);
