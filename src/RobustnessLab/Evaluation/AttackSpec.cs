using System.Globalization;

namespace RobustnessLab.Evaluation;

/// <summary>An attack by registry name with setting overrides, e.g. ("pgd", {steps: 50}).</summary>
public sealed record AttackSpec(string Name, IReadOnlyDictionary<string, double>? Args = null)
{
    public static implicit operator AttackSpec(string name) => new(name);

    /// <summary>
    /// The attack and its settings as one canonical string ("pgd restarts=2 steps=50": name in lower case, settings in
    /// ordinal order, round-trip numbers): equal strings, equal attacks.
    /// </summary>
    public string Canonical() => Name.ToLowerInvariant() + string.Concat((Args ?? new Dictionary<string, double>())
        .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $" {p.Key}={p.Value.ToString("R", CultureInfo.InvariantCulture)}"));

    public override string ToString() => Args is null || Args.Count == 0 ? Name : $"{Name}({string.Join(", ", Args.Select(a => $"{a.Key}={a.Value}"))})";
}
