using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// The standard objectives of feature visualisation (Olah, Mordvintsev, Schubert 2017, "Feature Visualization",
/// Distill; Mordvintsev, Olah, Tyka 2015, "Inceptionism"), and the image regularisers as objectives to subtract.
/// </summary>
public static class Objectives
{
    /// <summary>The pre-softmax logit of a class (what Inceptionism maximised).</summary>
    public static Objective ClassLogit(int classIndex, string? name = null) =>
        new($"logit[{name ?? classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)}]", c => CheckClass(c.Logits, classIndex).select(1, classIndex));

    /// <summary>
    /// A different class logit for each image of the batch (image i maximises class <paramref name="classPerImage"/>[i]),
    /// so every class of a model can be visualised in one batched optimisation.
    /// </summary>
    public static Objective ClassLogitEach(IReadOnlyList<int> classPerImage)
    {
        if (classPerImage.Count == 0) throw new LabException("ClassLogitEach needs at least one class");
        var classes = classPerImage.ToArray();
        return new($"logit[each of {classes.Distinct().Count()} classes]", c =>
        {
            if (c.Logits.shape[0] != classes.Length)
                throw new LabException($"ClassLogitEach has {classes.Length} classes for a batch of {c.Logits.shape[0]} images");
            foreach (var k in classes.Distinct()) CheckClass(c.Logits, k);
            using var index = tensor(classes.Select(k => (long)k).ToArray(), device: c.Logits.device);
            return c.Logits.gather(1, index.unsqueeze(1)).squeeze(1);
        });
    }

    /// <summary>The log-probability of a class: raising it also lowers the other classes.</summary>
    public static Objective ClassLogProbability(int classIndex, string? name = null) =>
        new($"logp[{name ?? classIndex.ToString(System.Globalization.CultureInfo.InvariantCulture)}]",
            c => nn.functional.log_softmax(CheckClass(c.Logits, classIndex), 1).select(1, classIndex));

    /// <summary>One unit: channel <paramref name="channel"/> at spatial position (x, y) (the centre by default); for a dense layer, unit n.</summary>
    public static Objective Neuron(string layer, int channel, int? x = null, int? y = null) =>
        new($"neuron[{layer}:{channel}]", c =>
        {
            var a = CheckChannel(c.Activation(layer), layer, channel);
            if (a.dim() == 2) return a.select(1, channel);
            if (a.dim() != 4) throw new LabException($"layer '{layer}' output has {a.dim()} dimensions; neuron needs [B,F] or [B,C,H,W]");
            long h = a.shape[2], w = a.shape[3];
            long yy = y ?? h / 2, xx = x ?? w / 2;
            if (yy < 0 || yy >= h || xx < 0 || xx >= w) throw new LabException($"neuron position ({xx}, {yy}) is outside layer '{layer}' ({w}x{h})");
            return a.select(1, channel).select(1, yy).select(1, xx);
        }, [layer]);

    /// <summary>The mean activation of a whole channel (a feature map), or unit n of a dense layer.</summary>
    public static Objective Channel(string layer, int channel) =>
        new($"channel[{layer}:{channel}]", c =>
        {
            var a = CheckChannel(c.Activation(layer), layer, channel);
            var ch = a.select(1, channel);
            return ch.dim() == 1 ? ch : ch.flatten(1).mean([1]);
        }, [layer]);

    /// <summary>DeepDream (Mordvintsev et al. 2015): the mean squared activation of a layer, amplifying whatever it sees.</summary>
    public static Objective LayerL2(string layer) =>
        new($"dream[{layer}]", c => c.Activation(layer).flatten(1).pow(2).mean([1]), [layer]);

    /// <summary>
    /// Diversity (Olah et al. 2017): minus the cosine similarity of each image's Gram matrix at a layer to every other
    /// image's in the batch, so a batch spreads over different ways of being the class. Zero for batch size 1.
    /// </summary>
    public static Objective Diversity(string layer) =>
        new($"diversity[{layer}]", c =>
        {
            var a = c.Activation(layer);
            long b = a.shape[0];
            if (b < 2) return zeros(b, device: a.device);
            var f = a.dim() == 4 ? a.flatten(2) : a.unsqueeze(2);
            var gram = matmul(f, f.transpose(1, 2)).flatten(1);
            gram = nn.functional.normalize(gram, p: 2, dim: 1);
            var sim = matmul(gram, gram.t());
            return -(sim.sum(1) - sim.diagonal());
        }, [layer], couplesBatch: true);

    /// <summary>
    /// Diversity within groups: as <see cref="Diversity(string)"/>, but each image is compared only with the images of
    /// its own group (e.g. the seeds of one class when every class is visualised in one batch).
    /// </summary>
    public static Objective Diversity(string layer, IReadOnlyList<int> groupPerImage)
    {
        if (groupPerImage.Count == 0) throw new LabException("grouped diversity needs at least one image");
        var groups = groupPerImage.ToArray();
        return new($"diversity[{layer}, {groups.Distinct().Count()} groups]", c =>
        {
            var a = c.Activation(layer);
            long b = a.shape[0];
            if (b != groups.Length) throw new LabException($"grouped diversity has {groups.Length} groups for a batch of {b} images");
            var f = a.dim() == 4 ? a.flatten(2) : a.unsqueeze(2);
            var gram = nn.functional.normalize(matmul(f, f.transpose(1, 2)).flatten(1), p: 2, dim: 1);
            var sim = matmul(gram, gram.t());
            var same = new float[b * b];
            for (int i = 0; i < b; i++)
                for (int j = 0; j < b; j++)
                    same[i * b + j] = i != j && groups[i] == groups[j] ? 1f : 0f;
            using var mask = tensor(same, new long[] { b, b }, device: sim.device);
            return -(sim * mask).sum(1);
        }, [layer], couplesBatch: true);
    }

    /// <summary>Mean squared distance of the image from mid-grey (an L2 penalty: subtract it).</summary>
    public static Objective L2() => new("l2", c => (c.Image - 0.5).pow(2).flatten(1).mean([1]));

    /// <summary>Total variation (Mahendran and Vedaldi 2015, arXiv:1412.0035): mean absolute neighbour difference; subtract it.</summary>
    public static Objective TotalVariation() =>
        new("tv", c =>
        {
            var x = c.Image;
            var dy = (x.narrow(2, 1, x.shape[2] - 1) - x.narrow(2, 0, x.shape[2] - 1)).abs().flatten(1).mean([1]);
            var dx = (x.narrow(3, 1, x.shape[3] - 1) - x.narrow(3, 0, x.shape[3] - 1)).abs().flatten(1).mean([1]);
            return dx + dy;
        });

    private static Tensor CheckClass(Tensor logits, int classIndex)
    {
        if (classIndex < 0 || classIndex >= logits.shape[1])
            throw new LabException($"class index {classIndex} is outside 0..{logits.shape[1] - 1}");
        return logits;
    }

    private static Tensor CheckChannel(Tensor a, string layer, int channel)
    {
        if (a.dim() < 2) throw new LabException($"layer '{layer}' output has {a.dim()} dimensions");
        if (channel < 0 || channel >= a.shape[1])
            throw new LabException($"channel {channel} is outside layer '{layer}' (0..{a.shape[1] - 1})");
        return a;
    }
}
