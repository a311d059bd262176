namespace RobustnessLab.Evaluation;

/// <summary>An attack by registry name with setting overrides, e.g. ("pgd", {steps: 50}).</summary>
public sealed record AttackSpec(string Name, IReadOnlyDictionary<string, double>? Args = null)
{
    public static implicit operator AttackSpec(string name) => new(name);

    public override string ToString() => Args is null || Args.Count == 0 ? Name : $"{Name}({string.Join(", ", Args.Select(a => $"{a.Key}={a.Value}"))})";
}
