namespace RobustnessLab.Experiments.Config;

/// <summary>One step of a key path: a mapping key or a list index.</summary>
public readonly record struct ConfigPathSegment(string? Key, int Index)
{
    public bool IsIndex => Key is null;

    public override string ToString() => Key ?? $"[{Index}]";
}
