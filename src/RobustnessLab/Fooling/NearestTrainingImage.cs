using RobustnessLab.Core;
using RobustnessLab.Data;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// Evidence that a fooling image is not a member of its class: its L2 distance (pixel units, [0,1] scale) to the
/// nearest training image of any class, set against what is typical for real members of the class: the median
/// distance from a real (held-out) image of the class to its nearest training image of the same class, and the median
/// distance between a real image of the class and a random training image of the class. A fooling image much farther
/// from every training image than real class members are is, by this measure, not a near-copy of anything the model
/// has seen.
/// </summary>
public static class NearestTrainingImage
{
    /// <summary>Measures each champion against the training set; <paramref name="reference"/> supplies the held-out class members.</summary>
    /// <param name="referencePerClass">Held-out images per class used for the typical distances.</param>
    public static IReadOnlyList<NoveltyEvidence> Measure(IReadOnlyList<FoolingChampion> champions, Dataset training, Dataset reference,
        int referencePerClass = 100, CancellationToken cancel = default)
    {
        if (champions.Count == 0) return [];
        var first = champions[0].Image;
        if (first.Channels != training.Channels || first.Height != training.Height || first.Width != training.Width)
            throw new LabException($"fooling images are {first.Channels}x{first.Height}x{first.Width} but the training images are {training.Channels}x{training.Height}x{training.Width}");
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var device = training.Images.device;
        var train = training.Images.flatten(1);
        var trainSq = train.pow(2).sum(1);
        var trainLabels = training.Labels.cpu().data<long>().ToArray();
        var queries = stack(champions.Select(c => c.Image.ToTensor(device).flatten(1).squeeze(0)).ToArray());
        var (nearestDist, nearestIdx) = Nearest(queries, train, trainSq);

        var refLabels = reference.Labels.cpu().data<long>().ToArray();
        var result = new List<NoveltyEvidence>();
        var typicalCache = new Dictionary<int, (double Nearest, double Pair, int Count)>();
        for (int i = 0; i < champions.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            int cls = champions[i].ClassIndex;
            if (!typicalCache.TryGetValue(cls, out var typical))
            {
                using var inner = NewDisposeScope();
                var refIdx = Enumerable.Range(0, refLabels.Length).Where(r => refLabels[r] == cls).Take(referencePerClass).Select(r => (long)r).ToArray();
                var trainIdx = Enumerable.Range(0, trainLabels.Length).Where(r => trainLabels[r] == cls).Select(r => (long)r).ToArray();
                if (refIdx.Length == 0 || trainIdx.Length == 0) typical = (double.NaN, double.NaN, 0);
                else
                {
                    var refs = reference.Images.index_select(0, tensor(refIdx, device: device)).flatten(1);
                    var members = train.index_select(0, tensor(trainIdx, device: device));
                    var d = Distances(refs, members, members.pow(2).sum(1));
                    typical = (d.min(1).values.median().item<float>(), d.median().item<float>(), refIdx.Length);
                }
                typicalCache[cls] = typical;
            }
            long idx = nearestIdx[i];
            result.Add(new NoveltyEvidence(cls, nearestDist[i], (int)trainLabels[idx], idx, typical.Nearest, typical.Pair, typical.Count));
        }
        return result;
    }

    /// <summary>For each query row, the L2 distance to and index of the nearest row of <paramref name="train"/>.</summary>
    private static (double[] Distance, long[] Index) Nearest(Tensor queries, Tensor train, Tensor trainSq)
    {
        using var scope = NewDisposeScope();
        var d = Distances(queries, train, trainSq);
        var (values, indices) = d.min(1);
        return (values.to(ScalarType.Float64).cpu().data<double>().ToArray(), indices.cpu().data<long>().ToArray());
    }

    /// <summary>Pairwise L2 distances [Q, N] via |q|^2 + |t|^2 - 2 q.t (clamped at 0 before the root).</summary>
    private static Tensor Distances(Tensor queries, Tensor train, Tensor trainSq)
    {
        var qSq = queries.pow(2).sum(1, keepdim: true);
        return (qSq + trainSq.unsqueeze(0) - queries.matmul(train.t()) * 2).clamp_min(0).sqrt();
    }
}
