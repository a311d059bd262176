using RobustnessLab.Core;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// Goodfellow, Shlens, Szegedy 2014 ("Explaining and Harnessing Adversarial Examples", arXiv:1412.6572, section 9):
/// models label pure Gaussian noise ("rubbish") as some class with high confidence. Measures the share of noise
/// inputs labelled with at least <c>threshold</c> confidence and their mean top-class confidence. The noise is drawn
/// in the model's own input space: pixel = mean + std * N(0, 1) per channel, i.e. zero-mean unit-variance after the
/// model's normalisation; measured twice, as drawn ("unclipped") and clipped to the valid [0,1] pixel range.
/// </summary>
public static class RubbishClass
{
    public static RubbishReport Measure(Classifier model, int samples, double threshold, int seed, bool clip, int batchSize = 500)
    {
        if (samples < 1) throw new LabException($"rubbish measurement needs at least 1 sample, got {samples}");
        if (!(threshold > 0 && threshold < 1)) throw new LabException($"rubbish threshold must be in (0, 1), got {threshold}");
        var s = model.Spec;
        var counts = new int[s.NumClasses];
        int confident = 0;
        double sumConfidence = 0, sumConfidentConfidence = 0;
        using var generator = new Generator(LabContext.DeriveSeed(seed, 0x8B15), CPU);
        using var mean = tensor(s.Mean, new long[] { 1, s.Channels, 1, 1 });
        using var std = tensor(s.Std, new long[] { 1, s.Channels, 1, 1 });
        model.InEvalMode(() =>
        {
            for (int start = 0; start < samples; start += batchSize)
            {
                using var scope = NewDisposeScope();
                using var _ = no_grad();
                int n = Math.Min(batchSize, samples - start);
                var x = randn(new long[] { n, s.Channels, s.Height, s.Width }, generator: generator) * std + mean;
                if (clip) x = x.clamp(0, 1);
                var p = nn.functional.softmax(model.call(x.to(model.Device)), 1);
                var (top, label) = p.max(1);
                var conf = top.to(ScalarType.Float64).cpu().data<double>().ToArray();
                var lab = label.cpu().data<long>().ToArray();
                for (int i = 0; i < n; i++)
                {
                    sumConfidence += conf[i];
                    if (conf[i] >= threshold)
                    {
                        confident++;
                        sumConfidentConfidence += conf[i];
                        counts[lab[i]]++;
                    }
                }
            }
            return 0;
        });
        return new RubbishReport
        {
            Samples = samples,
            Threshold = threshold,
            Noise = clip ? "mean + std * N(0,1) per channel, clipped to [0,1]" : "mean + std * N(0,1) per channel, unclipped",
            Clipped = clip,
            ShareConfident = (double)confident / samples,
            MeanConfidence = sumConfidence / samples,
            MeanConfidenceOfConfident = confident > 0 ? sumConfidentConfidence / confident : double.NaN,
            ConfidentPerClass = Enumerable.Range(0, s.NumClasses).ToDictionary(c => s.ClassNames[c], c => counts[c]),
        };
    }
}
