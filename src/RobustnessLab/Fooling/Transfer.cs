using RobustnessLab.Core;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// Transfer of fooling images to a second, independently trained model (another seed or architecture): Nguyen et al.
/// 2015 (arXiv:1412.1897) report that fooling images often fool other networks too. One batched forward pass, no_grad,
/// eval mode (the caller's mode is restored).
/// </summary>
public static class Transfer
{
    public static IReadOnlyList<TransferMeasurement> Measure(Classifier other, IReadOnlyList<FoolingChampion> champions)
    {
        if (champions.Count == 0) return [];
        var img = champions[0].Image;
        var s = other.Spec;
        if (s.Channels != img.Channels || s.Height != img.Height || s.Width != img.Width)
            throw new LabException($"transfer model takes {s.Channels}x{s.Height}x{s.Width} inputs but the fooling images are {img.Channels}x{img.Height}x{img.Width}");
        if (champions.Any(c => c.ClassIndex >= s.NumClasses))
            throw new LabException($"transfer model has {s.NumClasses} classes, fewer than the fooled model");
        return other.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = cat(champions.Select(c => c.Image.ToTensor(other.Device)).ToArray(), 0);
            var p = nn.functional.softmax(other.call(x), 1).to(ScalarType.Float64).cpu();
            var rows = new List<TransferMeasurement>();
            for (int i = 0; i < champions.Count; i++)
            {
                var probs = p[i].data<double>().ToArray();
                int top = Array.IndexOf(probs, probs.Max());
                rows.Add(new TransferMeasurement(champions[i].ClassIndex, probs[champions[i].ClassIndex], top, probs[top]));
            }
            return (IReadOnlyList<TransferMeasurement>)rows;
        });
    }
}
