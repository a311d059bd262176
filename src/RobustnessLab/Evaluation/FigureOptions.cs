using RobustnessLab.Attacks;
using RobustnessLab.Core;

namespace RobustnessLab.Evaluation;

/// <summary>Settings of <see cref="AdversarialFigure.Run"/>; its defaults are the only ones <c>lab attack</c> and a <c>figures:</c> entry use.</summary>
public sealed record FigureOptions
{
    public AttackSpec Attack { get; init; } = new("fgsm");
    public double Eps { get; init; } = 0.1;

    /// <summary>How many panels: the first N correctly classified test images...</summary>
    public int Examples { get; init; } = 1;

    /// <summary>...or, when set, the N images classified correctly with the highest confidence among the first <see cref="Pool"/>.</summary>
    public bool MostConfident { get; init; }

    /// <summary>Test rows searched for examples.</summary>
    public int Pool { get; init; } = 1000;

    /// <summary>Explicit test rows to choose from instead of the first <see cref="Pool"/> (the correctly classified ones are used).</summary>
    public IReadOnlyList<int>? Rows { get; init; }

    /// <summary>Only test rows of this class (a class name).</summary>
    public string? Class { get; init; }

    public TargetRule? Target { get; init; }
    public int? TargetClass { get; init; }
    public int Seed { get; init; }

    public Criterion Criterion => Target is { } rule ? new TargetedMisclassification(rule, TargetClass) : Criterion.Untargeted;

    public void Validate()
    {
        var attack = AttackRegistry.Create(Attack.Name, Attack.Args);
        if (attack is not FixedEpsilonAttack) throw new LabException($"the figure needs a fixed-epsilon attack; '{Attack.Name}' is a minimisation attack");
        if (double.IsNaN(Eps) || Eps < 0) throw new LabException($"eps must be >= 0, got {Eps}");
        if (attack.Distance == Distance.Linf && Eps > 1) throw new LabException($"linf eps {Eps} is above 1 (pixel units in [0,1]; 8/255 = {8 / 255.0:F4})");
        if (Examples <= 0) throw new LabException($"examples must be positive, got {Examples}");
        if (Pool <= 0) throw new LabException($"pool must be positive, got {Pool}");
        if (Target == TargetRule.Given && TargetClass is null) throw new LabException("the 'given' target rule needs a target class");
        if (Rows is not null && Class is not null) throw new LabException("give explicit rows or a class, not both");
        if (Rows is { } rows && rows.Any(r => r < 0)) throw new LabException("rows must be >= 0");
    }
}
