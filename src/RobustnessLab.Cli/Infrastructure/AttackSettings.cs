using System.ComponentModel;
using RobustnessLab.Attacks;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>Options shared by `lab attack` and `lab robustness`: model, dataset, target rule, attack settings, seed.</summary>
public class AttackSettings : LabSettings
{
    [CommandOption("-m|--model <DIR>")]
    [Description("checkpoint folder (required)")]
    public string? Model { get; set; }

    [CommandOption("--dataset <NAME>")]
    [Description("dataset (default: the one the model was trained on)")]
    public string? Dataset { get; set; }

    [CommandOption("--target <RULE>")]
    [Description("targeted attack: least-likely, random, or a class index / name")]
    public string? Target { get; set; }

    [CommandOption("--arg <KEY=VALUE>")]
    [Description("attack setting, repeatable: steps=50 applies to every attack that has it; pgd.steps=50 to one")]
    public string[] Args { get; set; } = [];

    [CommandOption("--seed <N>")]
    [Description("seed of random starts, random targets and Square")]
    [DefaultValue(0)]
    public int Seed { get; set; }

    public override ValidationResult Validate() =>
        string.IsNullOrWhiteSpace(Model) ? ValidationResult.Error("--model DIR is required") : ValidationResult.Success();

    /// <summary>--target parsed: (null, null) untargeted; a rule; or Given with a class index (names resolved later).</summary>
    public (TargetRule? Rule, int? Class) TargetRule()
    {
        if (Target is null) return (null, null);
        var t = Target.Trim().ToLowerInvariant();
        if (t is "least-likely" or "ll") return (Attacks.TargetRule.LeastLikely, null);
        if (t == "random") return (Attacks.TargetRule.Random, null);
        if (int.TryParse(t, out var c)) return (Attacks.TargetRule.Given, c);
        // A class name: look it up in the checkpoint's model.json (the weights are not needed for that).
        var names = Models.Checkpoint.Exists(Model!) ? Models.Checkpoint.ReadInfo(Model!).ClassNames : [];
        int byName = names.ToList().FindIndex(n => string.Equals(n, Target.Trim(), StringComparison.OrdinalIgnoreCase));
        if (byName >= 0) return (Attacks.TargetRule.Given, byName);
        throw new UsageException($"--target expects least-likely, random, a class index or a class name, got '{Target}'" +
                                 (names.Count > 0 ? $"; classes: {string.Join(", ", names)}" : ""));
    }

    /// <summary>
    /// --arg values per attack: "pgd.steps=50" for one attack, "steps=50" for every listed attack that has the
    /// setting (an unprefixed key no listed attack has is an error).
    /// </summary>
    public Dictionary<string, Dictionary<string, double>> AttackArguments(IReadOnlyList<string> attacks)
    {
        // A repeated attack is refused by the options' validation with its name; here it just shares one entry.
        var result = attacks.Distinct(StringComparer.OrdinalIgnoreCase).ToDictionary(a => a, _ => new Dictionary<string, double>(), StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in ParseNumericPairs(Args, "--arg"))
        {
            int dot = key.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0)
            {
                var attack = key[..dot];
                if (!result.ContainsKey(attack)) throw new UsageException($"--arg {key}: attack '{attack}' is not in the list ({string.Join(", ", attacks)})");
                var name = key[(dot + 1)..];
                if (!AttackRegistry.Get(attack).Defaults.ContainsKey(name))
                    throw new UsageException($"attack '{attack}' has no setting '{name}'; valid: {string.Join(", ", AttackRegistry.Get(attack).Defaults.Keys)}");
                result[attack][name] = value;
                continue;
            }
            var takers = attacks.Where(a => AttackRegistry.Get(a).Defaults.ContainsKey(key)).ToList();
            if (takers.Count == 0)
                throw new UsageException($"--arg {key}: none of {string.Join(", ", attacks)} has this setting; valid: " +
                                         string.Join("; ", attacks.Select(a => $"{a}: {string.Join(", ", AttackRegistry.Get(a).Defaults.Keys)}")));
            foreach (var a in takers) result[a][key] = value;
        }
        return result;
    }
}
