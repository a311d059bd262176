using RobustnessLab.Core;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// A genome representation for <see cref="MapElites"/>: it owns the archive of elite genomes (one per cell) and the
/// candidates of the current generation, and renders candidates to images in one batch. Implementations keep their
/// long-lived tensors detached from dispose scopes and release them in <see cref="IDisposable.Dispose"/>.
/// </summary>
public interface IEliteEncoding : IDisposable
{
    /// <summary>Short name ("direct", "cppn") for reports.</summary>
    string Name { get; }

    /// <summary>Creates <paramref name="count"/> random candidates and returns their images [count, C, H, W] in the caller's scope.</summary>
    Tensor SeedCandidates(int count);

    /// <summary>
    /// Creates one child per entry: the elite of <c>parentCells[i]</c>, possibly crossed with the elite of
    /// <c>mateCells[i]</c> (encodings without crossover ignore the mate), then mutated. Returns the images in the
    /// caller's scope.
    /// </summary>
    /// <param name="generation">1-based generation number (mutation schedules depend on it).</param>
    Tensor Offspring(int[] parentCells, int[] mateCells, int generation);

    /// <summary>Makes candidate <c>candidates[i]</c> of the current generation the elite of cell <c>cells[i]</c>.</summary>
    void Promote(int[] cells, int[] candidates);

    /// <summary>The elite image of a cell (the exact pixels that were scored).</summary>
    ImageData Elite(int cell);

    /// <summary>A short description of a cell's elite genome (e.g. a CPPN's size), or null.</summary>
    string? Describe(int cell);
}
