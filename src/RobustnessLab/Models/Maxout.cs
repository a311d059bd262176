using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// A maxout layer (Goodfellow, Warde-Farley, Mirza, Courville, Bengio 2013, arXiv:1302.4389): an affine map to
/// units x pieces, then the maximum over the pieces of each unit.
/// </summary>
public sealed class Maxout : nn.Module<Tensor, Tensor>
{
    private readonly Linear linear;
    private readonly int units;
    private readonly int pieces;

    public Maxout(int inFeatures, int units, int pieces) : base(nameof(Maxout))
    {
        this.units = units;
        this.pieces = pieces;
        linear = nn.Linear(inFeatures, units * pieces);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var z = linear.call(x);
        return z.view(z.shape[0], units, pieces).amax(new long[] { 2 });
    }
}
