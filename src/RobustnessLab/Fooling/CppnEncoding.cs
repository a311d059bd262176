using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// The CPPN encoding for <see cref="MapElites"/>: genomes are <see cref="Cppn"/> graphs (plain managed objects, no
/// tensors), mutated sequentially from one seeded generator and rendered in parallel into one [N, C, H, W] batch.
/// Rendering is per-genome independent, so the images do not depend on the number of worker threads.
/// </summary>
public sealed class CppnEncoding : IEliteEncoding
{
    private readonly int channels, height, width;
    private readonly Random rng;
    private readonly CppnMutation rates;
    private readonly Device device;
    private readonly int threads;
    private readonly Cppn?[] elites;
    private Cppn[] staged = [];

    public CppnEncoding(int cells, int[] imageShape, int seed, CppnMutation? rates = null, Device? device = null, int threads = 1)
    {
        if (cells < 1) throw new ArgumentOutOfRangeException(nameof(cells));
        if (imageShape.Length != 3) throw new ArgumentException("image shape must be C, H, W", nameof(imageShape));
        (channels, height, width) = (imageShape[0], imageShape[1], imageShape[2]);
        rng = new Random(seed);
        this.rates = rates ?? new CppnMutation();
        this.rates.Validate();
        this.device = device ?? CPU;
        this.threads = Math.Max(1, threads);
        elites = new Cppn?[cells];
    }

    public string Name => "cppn";

    /// <summary>The elite genome of a cell (render it at any resolution with <see cref="Cppn.RenderImage"/>).</summary>
    public Cppn? Genome(int cell) => elites[cell];

    public Tensor SeedCandidates(int count)
    {
        staged = new Cppn[count];
        for (int i = 0; i < count; i++) staged[i] = Cppn.CreateRandom(channels, rng, rates);
        return Render(staged);
    }

    public Tensor Offspring(int[] parentCells, int[] mateCells, int generation)
    {
        var children = new Cppn[parentCells.Length];
        for (int i = 0; i < parentCells.Length; i++)
            children[i] = (elites[parentCells[i]] ?? throw new InvalidOperationException($"cell {parentCells[i]} has no elite yet")).Mutate(rng, rates);
        staged = children;
        return Render(staged);
    }

    public void Promote(int[] cells, int[] candidates)
    {
        if (cells.Length != candidates.Length) throw new ArgumentException("cells and candidates differ in length");
        for (int i = 0; i < cells.Length; i++) elites[cells[i]] = staged[candidates[i]];
    }

    public ImageData Elite(int cell) =>
        (elites[cell] ?? throw new InvalidOperationException($"cell {cell} has no elite yet")).RenderImage(width, height);

    public string? Describe(int cell) => elites[cell]?.ToString();

    private Tensor Render(Cppn[] genomes)
    {
        int per = channels * height * width;
        var buffer = new float[genomes.Length * per];
        Parallel.For(0, genomes.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
            Array.Copy(genomes[i].Render(width, height), 0, buffer, (long)i * per, per));
        using var cpu = tensor(buffer, new long[] { genomes.Length, channels, height, width });
        return device.type == DeviceType.CPU ? cpu.clone() : cpu.to(device);
    }

    public void Dispose() { }
}
