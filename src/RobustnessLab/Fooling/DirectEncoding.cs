using RobustnessLab.Core;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// The direct encoding of Nguyen, Yosinski, Clune 2015 (arXiv:1412.1897): every pixel is a gene. Candidates start
/// uniform in [0,1]; a child is its parent with each gene mutated with probability <see cref="MutationRate"/> (halved
/// every <see cref="HalvingGenerations"/> generations) by bounded polynomial mutation of strength eta. The whole
/// generation is one tensor, so mutation is a handful of vector operations whatever the population size.
/// </summary>
public sealed class DirectEncoding : IEliteEncoding
{
    private readonly int cells;
    private readonly long[] shape;
    private readonly Generator generator;
    private readonly Device device;
    private Tensor? archive; // [cells, C, H, W], detached, owned here
    private Tensor? staged;  // current generation's candidates, detached, owned here

    /// <param name="cells">Number of archive cells (one per target class).</param>
    /// <param name="imageShape">C, H, W.</param>
    /// <param name="seed">Seed of the mutation generator.</param>
    /// <param name="mutationRate">Initial per-gene mutation probability (paper: 0.1).</param>
    /// <param name="halvingGenerations">The rate halves every this many generations (paper: 1000).</param>
    /// <param name="eta">Polynomial mutation strength (paper: 15).</param>
    /// <param name="device">Where candidates live (the model's device).</param>
    /// <param name="crossRate">Probability that a child is first crossed with a second elite by SBX (paper's text: none; its released code: 0.5).</param>
    /// <param name="crossEta">SBX distribution index (released code: 10).</param>
    public DirectEncoding(int cells, int[] imageShape, ulong seed, double mutationRate = 0.1, int halvingGenerations = 1000, double eta = 15, Device? device = null,
        double crossRate = 0, double crossEta = 10)
    {
        if (cells < 1) throw new ArgumentOutOfRangeException(nameof(cells));
        if (imageShape.Length != 3) throw new ArgumentException("image shape must be C, H, W", nameof(imageShape));
        if (halvingGenerations < 1) throw new ArgumentOutOfRangeException(nameof(halvingGenerations), "must be >= 1");
        this.cells = cells;
        shape = imageShape.Select(d => (long)d).ToArray();
        generator = new Generator(seed, CPU);
        this.device = device ?? CPU;
        MutationRate = mutationRate;
        HalvingGenerations = halvingGenerations;
        Eta = eta;
        CrossRate = crossRate;
        CrossEta = crossEta;
    }

    public string Name => "direct";
    public double MutationRate { get; }
    public int HalvingGenerations { get; }
    public double Eta { get; }
    public double CrossRate { get; }
    public double CrossEta { get; }

    /// <summary>The per-gene mutation probability used in a generation (1-based).</summary>
    public double RateAt(int generation) => MutationRate * Math.Pow(0.5, Math.Max(0, generation - 1) / HalvingGenerations);

    public Tensor SeedCandidates(int count)
    {
        using var scope = NewDisposeScope();
        var x = rand([count, .. shape], generator: generator).to(device);
        Stage(x);
        return x.alias().MoveToOuterDisposeScope();
    }

    public Tensor Offspring(int[] parentCells, int[] mateCells, int generation)
    {
        if (archive is null) throw new InvalidOperationException("no elites yet: seed and promote candidates first");
        using var scope = NewDisposeScope();
        var parents = archive.index_select(0, tensor(parentCells.Select(c => (long)c).ToArray(), device: device));
        if (CrossRate > 0)
        {
            var mates = archive.index_select(0, tensor(mateCells.Select(c => (long)c).ToArray(), device: device));
            var crossed = SimulatedBinaryCrossover.Apply(parents, mates, CrossEta, generator);
            var which = (rand(new long[] { parents.shape[0] }, generator: generator).lt(CrossRate)).to(device).view(-1, 1, 1, 1);
            parents = where(which, crossed, parents);
        }
        var children = PolynomialMutation.Apply(parents, RateAt(generation), Eta, generator);
        Stage(children);
        return children.alias().MoveToOuterDisposeScope();
    }

    public void Promote(int[] cellIndices, int[] candidates)
    {
        if (cellIndices.Length != candidates.Length) throw new ArgumentException("cells and candidates differ in length");
        if (cellIndices.Length == 0) return;
        if (staged is null) throw new InvalidOperationException("no candidates staged");
        using var scope = NewDisposeScope();
        if (archive is null)
        {
            archive = zeros([cells, .. shape], device: device).DetachFromDisposeScope();
        }
        var src = staged.index_select(0, tensor(candidates.Select(c => (long)c).ToArray(), device: device));
        archive.index_copy_(0, tensor(cellIndices.Select(c => (long)c).ToArray(), device: device), src);
    }

    public ImageData Elite(int cell)
    {
        if (archive is null) throw new InvalidOperationException("no elites yet");
        using var scope = NewDisposeScope();
        return ImageData.FromTensor(archive[cell]);
    }

    public string? Describe(int cell) => null;

    private void Stage(Tensor x)
    {
        staged?.Dispose();
        staged = x.detach().clone().DetachFromDisposeScope();
    }

    public void Dispose()
    {
        archive?.Dispose();
        staged?.Dispose();
        archive = staged = null;
        generator.Dispose();
    }
}
