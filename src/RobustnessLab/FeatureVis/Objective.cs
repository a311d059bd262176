using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// A quantity to maximise, as a value that composes: <c>a + b</c>, <c>a - b</c>, <c>2 * a</c>, <c>-a</c>
/// (the shape of Lucid/Lucent's objectives, Olah, Mordvintsev, Schubert 2017). It maps an
/// <see cref="ObjectiveContext"/> to one value per image in the batch ([B]), so every image of a batch is optimised
/// on its own; only <see cref="Objectives.Diversity(string)"/> couples them, on purpose.
/// </summary>
public sealed class Objective
{
    private readonly Func<ObjectiveContext, Tensor> compute;

    public Objective(string description, Func<ObjectiveContext, Tensor> compute, IEnumerable<string>? layers = null, bool couplesBatch = false)
    {
        Description = description;
        this.compute = compute;
        Layers = new SortedSet<string>(layers ?? [], StringComparer.Ordinal);
        CouplesBatch = couplesBatch;
    }

    /// <summary>Whether the value of one image depends on the others in the batch (diversity).</summary>
    public bool CouplesBatch { get; }

    public string Description { get; }

    /// <summary>Module paths whose activations this objective reads (the probe hooks exactly these).</summary>
    public IReadOnlySet<string> Layers { get; }

    /// <summary>Per-image values [B], to be maximised.</summary>
    public Tensor Compute(ObjectiveContext context)
    {
        var v = compute(context);
        if (v.dim() == 0) v = v.expand(context.BatchSize);
        return v;
    }

    public override string ToString() => Description;

    public static Objective operator +(Objective a, Objective b) =>
        new($"{a} + {b}", c => a.Compute(c) + b.Compute(c), a.Layers.Concat(b.Layers), a.CouplesBatch || b.CouplesBatch);

    public static Objective operator -(Objective a, Objective b) =>
        new($"{a} - {Paren(b)}", c => a.Compute(c) - b.Compute(c), a.Layers.Concat(b.Layers), a.CouplesBatch || b.CouplesBatch);

    public static Objective operator -(Objective a) => new($"-{Paren(a)}", c => -a.Compute(c), a.Layers, a.CouplesBatch);

    public static Objective operator *(double k, Objective a) =>
        new($"{k:G4} * {Paren(a)}", c => a.Compute(c) * k, a.Layers, a.CouplesBatch);

    public static Objective operator *(Objective a, double k) => k * a;

    private static string Paren(Objective o) => o.Description.Contains(' ', StringComparison.Ordinal) ? $"({o.Description})" : o.Description;
}
