using RobustnessLab.Data;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Evaluation;

/// <summary>Clean accuracy, per-class accuracy and confusion, evaluated under no_grad in eval mode.</summary>
public static class Accuracy
{
    /// <summary>
    /// <see cref="Evaluate"/> after the model's self-check (<see cref="InputGradientCheck.Ensure"/>): clean accuracy
    /// rests on the forward pass being right, and libtorch's oneDNN gave one architecture (LeNet) logits up to 1.6 off
    /// here. The check may replace the model's parameter tensors (see its remarks), so this is for evaluating a loaded
    /// or finished model (`lab eval`, the eval stage), not for a training loop that holds an optimizer.
    /// </summary>
    public static ClassificationReport EvaluateChecked(Classifier model, Dataset data, int batchSize = 1000, int limit = 0)
    {
        InputGradientCheck.Ensure(model);
        return Evaluate(model, data, batchSize, limit);
    }

    /// <summary>
    /// The report for the first <paramref name="limit"/> rows (0: all). <paramref name="batchSize"/> is an upper bound:
    /// batches shrink so that no activation passes the allocator's mmap threshold (<see cref="BatchSizing"/>).
    /// </summary>
    public static ClassificationReport Evaluate(Classifier model, Dataset data, int batchSize = 1000, int limit = 0)
    {
        batchSize = BatchSizing.Fit(model, batchSize);
        int n = limit > 0 ? Math.Min(limit, data.Count) : data.Count;
        int k = model.NumClasses;
        var confusion = new int[k][];
        for (int i = 0; i < k; i++) confusion[i] = new int[k];
        double lossSum = 0;
        var device = model.Device;
        model.InEvalMode(() =>
        {
            using var _ = no_grad();
            var order = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
            for (int s = 0; s < n; s += batchSize)
            {
                using var scope = NewDisposeScope();
                var (x, y) = data.Batch(order, s, batchSize, device);
                var logits = model.call(x);
                lossSum += nn.functional.cross_entropy(logits, y, reduction: nn.Reduction.Sum).item<float>();
                var pred = logits.argmax(1).cpu().data<long>().ToArray();
                var truth = y.cpu().data<long>().ToArray();
                for (int i = 0; i < pred.Length; i++) confusion[truth[i]][pred[i]]++;
            }
            return 0;
        });
        int correct = 0;
        var perClass = new double[k];
        for (int c = 0; c < k; c++)
        {
            correct += confusion[c][c];
            int total = confusion[c].Sum();
            perClass[c] = total == 0 ? double.NaN : (double)confusion[c][c] / total;
        }
        return new ClassificationReport
        {
            Accuracy = n == 0 ? double.NaN : (double)correct / n,
            Count = n,
            MeanLoss = n == 0 ? double.NaN : lossSum / n,
            ClassNames = model.ClassNames,
            PerClassAccuracy = perClass,
            Confusion = confusion,
        };
    }
}
