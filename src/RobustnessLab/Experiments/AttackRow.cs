using System.Diagnostics.CodeAnalysis;
using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments;

/// <summary>One row of <c>attacks</c> in results.json: an <see cref="AttackRecord"/> with the model it attacked.</summary>
public sealed record AttackRow : AttackRecord
{
    /// <summary>For deserialisation.</summary>
    public AttackRow()
    {
    }

    [SetsRequiredMembers]
    private AttackRow(AttackRecord record, string model, int samples) : base(record)
    {
        Model = model;
        Samples = samples;
    }

    public required string Model { get; init; }
    public required int Samples { get; init; }

    public static AttackRow From(string model, int samples, AttackRecord r) => new(r, model, samples);
}
