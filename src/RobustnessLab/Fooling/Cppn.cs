using RobustnessLab.Core;

namespace RobustnessLab.Fooling;

/// <summary>
/// A compositional pattern-producing network (Stanley 2007, "Compositional pattern producing networks"): a small
/// feed-forward graph evaluated at every pixel on the inputs x, y (in [-1, 1], pixel centres), d (distance from the
/// centre) and a bias of 1, with one output per image channel. Because the image is a function of continuous
/// coordinates, one genome renders at any resolution and the patterns are regular (symmetry from d, repetition from
/// sine): the fooling-paper's second encoding (Nguyen, Yosinski, Clune 2015, arXiv:1412.1897).
/// Nodes are kept in topological order (inputs, hidden nodes, outputs), which every mutation preserves, so rendering
/// is one pass over the list. Rendering and mutation are deterministic (no hidden random state).
/// </summary>
public sealed class Cppn
{
    public const int InputCount = 4;
    private static readonly CppnActivation[] Functions = Enum.GetValues<CppnActivation>();

    private readonly List<CppnNode> nodes;             // topological order; inputs first, outputs last
    private readonly List<CppnConnection> connections; // at most one per (from, to)
    private readonly int nextId;

    private Cppn(int outputs, List<CppnNode> nodes, List<CppnConnection> connections, int nextId)
    {
        Outputs = outputs;
        this.nodes = nodes;
        this.connections = connections;
        this.nextId = nextId;
    }

    /// <summary>Output channels (1 greyscale, 3 RGB).</summary>
    public int Outputs { get; }
    public IReadOnlyList<CppnNode> Nodes => nodes;
    public IReadOnlyList<CppnConnection> Connections => connections;
    public int HiddenCount => nodes.Count - InputCount - Outputs;
    public int EnabledConnectionCount => connections.Count(c => c.Enabled);

    /// <summary>
    /// A random starting genome: every input wired to every output with a weight uniform in [-2, 2], output
    /// functions drawn at random, then <paramref name="initialMutations"/> structural mutations for variety.
    /// </summary>
    public static Cppn CreateRandom(int outputs, Random rng, CppnMutation? rates = null, int initialMutations = 2)
    {
        if (outputs < 1) throw new ArgumentOutOfRangeException(nameof(outputs));
        var ns = new List<CppnNode>();
        for (int i = 0; i < InputCount; i++) ns.Add(new CppnNode(i, CppnActivation.Linear));
        for (int o = 0; o < outputs; o++) ns.Add(new CppnNode(InputCount + o, Functions[rng.Next(Functions.Length)]));
        var cs = new List<CppnConnection>();
        for (int o = 0; o < outputs; o++)
            for (int i = 0; i < InputCount; i++)
                cs.Add(new CppnConnection(i, InputCount + o, rng.NextDouble() * 4 - 2));
        var net = new Cppn(outputs, ns, cs, InputCount + outputs);
        rates ??= new CppnMutation();
        for (int m = 0; m < initialMutations; m++)
            net = net.Mutate(rng, rates with { AddNode = 0.5, AddConnection = 0.5 });
        return net;
    }

    /// <summary>
    /// A child: with the given probabilities it gains a node (splitting an enabled connection a->b into a->n (weight 1)
    /// and n->b (old weight), as NEAT does, so the child starts close to its parent), gains a connection, changes one
    /// node's function; and some of its weights move by a Gaussian step (at least one, so no child is a clone).
    /// </summary>
    public Cppn Mutate(Random rng, CppnMutation rates)
    {
        var ns = new List<CppnNode>(nodes);
        var cs = new List<CppnConnection>(connections);
        int next = nextId;

        if (rng.NextDouble() < rates.AddNode && ns.Count - InputCount - Outputs < rates.MaxHidden)
        {
            var enabled = Enumerable.Range(0, cs.Count).Where(i => cs[i].Enabled).ToArray();
            if (enabled.Length > 0)
            {
                int ci = enabled[rng.Next(enabled.Length)];
                var c = cs[ci];
                var node = new CppnNode(next++, Functions[rng.Next(Functions.Length)]);
                int toPos = ns.FindIndex(n => n.Id == c.To);
                ns.Insert(toPos, node); // after c.From (which precedes c.To), before c.To: order stays topological
                cs[ci] = c with { Enabled = false };
                cs.Add(new CppnConnection(c.From, node.Id, 1.0));
                cs.Add(new CppnConnection(node.Id, c.To, c.Weight));
            }
        }

        if (rng.NextDouble() < rates.AddConnection)
        {
            // Candidate pairs (a before b in the order, a not an output, b not an input) not yet connected.
            var existing = new HashSet<(int, int)>(cs.Select(c => (c.From, c.To)));
            var pairs = new List<(int, int)>();
            int firstOutput = ns.Count - Outputs;
            for (int a = 0; a < firstOutput; a++)
                for (int b = Math.Max(a + 1, InputCount); b < ns.Count; b++)
                    if (!existing.Contains((ns[a].Id, ns[b].Id))) pairs.Add((ns[a].Id, ns[b].Id));
            if (pairs.Count > 0)
            {
                var (from, to) = pairs[rng.Next(pairs.Count)];
                cs.Add(new CppnConnection(from, to, Gaussian(rng) * 1.0));
            }
        }

        if (rng.NextDouble() < rates.ChangeActivation && ns.Count > InputCount)
        {
            int pos = InputCount + rng.Next(ns.Count - InputCount);
            ns[pos] = ns[pos] with { Activation = Functions[rng.Next(Functions.Length)] };
        }

        bool changed = false;
        for (int i = 0; i < cs.Count; i++)
        {
            if (!cs[i].Enabled || rng.NextDouble() >= rates.WeightRate) continue;
            cs[i] = Perturb(cs[i], rng, rates);
            changed = true;
        }
        if (!changed)
        {
            var enabled = Enumerable.Range(0, cs.Count).Where(i => cs[i].Enabled).ToArray();
            if (enabled.Length > 0) { int i = enabled[rng.Next(enabled.Length)]; cs[i] = Perturb(cs[i], rng, rates); }
        }
        return new Cppn(Outputs, ns, cs, next);
    }

    /// <summary>
    /// Renders CHW pixels in [0, 1]: output value v maps to (v + 1) / 2, clamped. Pixel (i, j) of a W x H render is
    /// evaluated at the centre x = (2j + 1) / W - 1, y = (2i + 1) / H - 1, so a render at k times the resolution
    /// contains the lower-resolution render exactly (at the centre sample of each k x k block, k odd).
    /// </summary>
    public float[] Render(int width, int height)
    {
        if (width < 1 || height < 1) throw new ArgumentOutOfRangeException(nameof(width), "render size must be positive");
        int n = width * height;
        var pos = new Dictionary<int, int>(nodes.Count);
        for (int k = 0; k < nodes.Count; k++) pos[nodes[k].Id] = k;
        var incoming = new List<(int From, double Weight)>[nodes.Count];
        for (int k = 0; k < nodes.Count; k++) incoming[k] = [];
        foreach (var c in connections)
            if (c.Enabled) incoming[pos[c.To]].Add((pos[c.From], c.Weight));

        var values = new double[nodes.Count][];
        var x = values[0] = new double[n];
        var y = values[1] = new double[n];
        var d = values[2] = new double[n];
        var b = values[3] = new double[n];
        for (int i = 0; i < height; i++)
        {
            double yi = (2.0 * i + 1.0) / height - 1.0;
            for (int j = 0; j < width; j++)
            {
                int p = i * width + j;
                double xj = (2.0 * j + 1.0) / width - 1.0;
                x[p] = xj;
                y[p] = yi;
                d[p] = Math.Sqrt(xj * xj + yi * yi);
                b[p] = 1.0;
            }
        }
        for (int k = InputCount; k < nodes.Count; k++)
        {
            var sum = new double[n];
            foreach (var (from, w) in incoming[k])
            {
                var src = values[from];
                for (int p = 0; p < n; p++) sum[p] += w * src[p];
            }
            Activate(nodes[k].Activation, sum);
            values[k] = sum;
        }
        var pixels = new float[Outputs * n];
        for (int o = 0; o < Outputs; o++)
        {
            var v = values[nodes.Count - Outputs + o];
            for (int p = 0; p < n; p++) pixels[o * n + p] = (float)Math.Clamp((v[p] + 1.0) * 0.5, 0.0, 1.0);
        }
        return pixels;
    }

    /// <summary>Renders as an image (channels = <see cref="Outputs"/>).</summary>
    public ImageData RenderImage(int width, int height) => new(Outputs, height, width, Render(width, height));

    public override string ToString() => $"CPPN: {HiddenCount} hidden nodes, {EnabledConnectionCount} connections";

    private static void Activate(CppnActivation f, double[] a)
    {
        switch (f)
        {
            case CppnActivation.Sine:
                for (int p = 0; p < a.Length; p++) a[p] = Math.Sin(a[p]);
                break;
            case CppnActivation.Sigmoid: // bipolar: 2 / (1 + e^-a) - 1
                for (int p = 0; p < a.Length; p++) a[p] = Math.Tanh(0.5 * a[p]);
                break;
            case CppnActivation.Gaussian: // bipolar: 2 e^(-a^2) - 1
                for (int p = 0; p < a.Length; p++) a[p] = 2.0 * Math.Exp(-a[p] * a[p]) - 1.0;
                break;
            case CppnActivation.Linear:
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(f), f, null);
        }
    }

    private static CppnConnection Perturb(CppnConnection c, Random rng, CppnMutation rates) =>
        c with { Weight = Math.Clamp(c.Weight + Gaussian(rng) * rates.WeightSigma, -rates.MaxWeight, rates.MaxWeight) };

    /// <summary>A standard normal draw (Box-Muller) from the caller's generator.</summary>
    private static double Gaussian(Random rng)
    {
        double u1 = 1.0 - rng.NextDouble(), u2 = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }
}
