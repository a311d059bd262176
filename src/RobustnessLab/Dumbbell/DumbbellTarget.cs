namespace RobustnessLab.Dumbbell;

/// <summary>One figure the issue asks for: what was measured, the bound, and whether it was met.</summary>
public sealed record DumbbellTarget(string Name, double Value, string Bound, bool Met);
