namespace RobustnessLab.Evaluation;

/// <summary>How often an attack turned class <see cref="From"/> into <see cref="To"/> ("Sneaker -> Sandal").</summary>
public sealed record ClassFlip(string From, string To, int Count, double Fraction);
