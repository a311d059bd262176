using RobustnessLab.Core;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// The library entry point: searches fooling images for a classifier with the chosen method, then measures them
/// (8-bit robustness, distance to the training set, transfer to a second model, and the rubbish-class rate).
/// Deterministic for a seed and thread count. On cancellation the search stops after the current generation/step and
/// the report holds the champions found so far (marked cancelled; the slower measurements are skipped).
/// </summary>
public static class FoolingRun
{
    public static FoolingReport Run(Classifier model, FoolingOptions options, FoolingInputs? inputs = null,
        IProgress<FoolingProgress>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        inputs ??= new FoolingInputs();
        var classes = options.ResolveClasses(model.ClassNames);
        var search = Search(model, options, classes, inputs.Threads, progress, cancel);
        return Measure(model, options, inputs, search, progress, cancel);
    }

    /// <summary>Only the search (no measurements): the champions, curve and timings.</summary>
    public static FoolingSearchResult Search(Classifier model, FoolingOptions options, int[] classes, int threads = 1,
        IProgress<FoolingProgress>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        int[] shape = model.Spec.InputShape;
        if (options.Method != FoolingMethod.Gradient)
            // One generation scores Population children in one batch: images, mutation draws and the model's activations
            // (a convolution's first layer alone is width x the image), about 64 float32 copies of the children.
            ResourceLimits.RequireMemory(64.0 * 4 * options.Population * shape[0] * (double)shape[1] * shape[2],
                $"population {options.Population} of {string.Join("x", shape)} images", "lower --population (fooling.population)");
        int parentSeed = (int)(LabContext.DeriveSeed(options.Seed, 0x9A7E) & 0x7fffffff);
        switch (options.Method)
        {
            case FoolingMethod.Direct:
            {
                using var encoding = new DirectEncoding(classes.Length, shape, LabContext.DeriveSeed(options.Seed, 0xD1EC),
                    options.MutationRate, options.MutationHalvingGenerations, options.MutationEta, model.Device, options.CrossRate, options.CrossEta);
                return MapElites.Run(model, encoding, classes, options.EffectiveGenerations, options.Population, parentSeed,
                    options.Thresholds, FoolingMethod.Direct, progress, cancel, options.Workers, threads);
            }
            case FoolingMethod.Cppn:
            {
                using var encoding = new CppnEncoding(classes.Length, shape, (int)(LabContext.DeriveSeed(options.Seed, 0xC77) & 0x7fffffff),
                    options.Cppn, model.Device, threads);
                return MapElites.Run(model, encoding, classes, options.EffectiveGenerations, options.Population, parentSeed,
                    options.Thresholds, FoolingMethod.Cppn, progress, cancel, options.Workers, threads);
            }
            case FoolingMethod.Gradient:
                return GradientFooling.Run(model, classes, options, progress, cancel);
            default:
                throw new LabException($"unknown fooling method '{options.Method}'");
        }
    }

    /// <summary>Turns a search result into the report, measuring what the inputs allow.</summary>
    public static FoolingReport Measure(Classifier model, FoolingOptions options, FoolingInputs inputs, FoolingSearchResult search,
        IProgress<FoolingProgress>? progress = null, CancellationToken cancel = default)
    {
        var champions = search.Champions;
        int m = champions.Count;
        progress?.Report(new FoolingProgress("measure", search.Iterations, search.Iterations, 0, 0, m, search.Seconds));
        var quantised = Confidence8Bit(model, champions);
        var transfer = inputs.TransferModel is { } other ? Transfer.Measure(other, champions) : null;
        IReadOnlyList<NoveltyEvidence>? novelty = null;
        if (!search.Cancelled && inputs.Training is not null && inputs.Reference is not null)
            novelty = NearestTrainingImage.Measure(champions, inputs.Training, inputs.Reference, options.ReferencePerClass, cancel);

        var names = model.ClassNames;
        var rows = new List<FoolingClassReport>();
        for (int i = 0; i < m; i++)
        {
            var c = champions[i];
            var n = novelty?[i];
            var t = transfer?[i];
            rows.Add(new FoolingClassReport
            {
                ClassName = c.ClassName,
                ClassIndex = c.ClassIndex,
                Confidence = c.Confidence,
                LogOdds = c.LogOdds,
                Confidence8Bit = quantised[i],
                GenerationsTo99 = c.Crossing(0.99)?.Iteration,
                GenerationsTo999 = c.Crossing(0.999)?.Iteration,
                GenerationsTo9999 = c.Crossing(0.9999)?.Iteration,
                SecondsTo99 = c.Crossing(0.99)?.Seconds,
                SecondsTo999 = c.Crossing(0.999)?.Seconds,
                SecondsTo9999 = c.Crossing(0.9999)?.Seconds,
                Seconds = c.FoundAtSeconds,
                FoundAtGeneration = c.FoundAt,
                NearestTrainL2 = n?.NearestTrainL2,
                NearestTrainClass = n is null ? null : names[n.NearestTrainLabel],
                WithinClassNearestL2 = n?.WithinClassNearestL2Median,
                WithinClassPairL2 = n?.WithinClassPairL2Median,
                TransferConfidence = t?.Confidence,
                TransferPrediction = t is null ? null : inputs.TransferModel!.ClassNames[t.Predicted],
                TransferPredictionConfidence = t?.PredictedConfidence,
                Genome = c.Genome,
                Image = c.Image,
            });
        }

        IReadOnlyList<RubbishReport>? rubbish = null;
        if (!search.Cancelled && options.RubbishSamples > 0)
        {
            progress?.Report(new FoolingProgress("rubbish", search.Iterations, search.Iterations, 0, 0, m, search.Seconds));
            rubbish =
            [
                RubbishClass.Measure(model, options.RubbishSamples, options.RubbishThreshold, options.Seed, clip: false),
                RubbishClass.Measure(model, options.RubbishSamples, options.RubbishThreshold, options.Seed, clip: true),
            ];
        }

        return new FoolingReport
        {
            Method = options.Method.ToString().ToLowerInvariant(),
            Model = inputs.ModelName ?? model.Spec.Architecture,
            Architecture = model.Spec.Architecture,
            TransferModel = inputs.TransferModel is null ? null : inputs.TransferModelName ?? inputs.TransferModel.Spec.Architecture,
            Seed = options.Seed,
            Threads = inputs.Threads,
            Generations = search.Iterations,
            Evaluations = search.Evaluations,
            Seconds = search.Seconds,
            Cancelled = search.Cancelled,
            Summary = Summarise(rows, search, novelty),
            Classes = rows,
            Rubbish = rubbish,
            Options = options,
            Provenance = Provenance.Capture(inputs.Threads),
            Curve = search.Curve,
        };
    }

    /// <summary>The model's confidence in each champion after rounding its pixels to 8 bits (one batched pass).</summary>
    public static double[] Confidence8Bit(Classifier model, IReadOnlyList<FoolingChampion> champions)
    {
        if (champions.Count == 0) return [];
        return model.InEvalMode(() =>
        {
            using var scope = NewDisposeScope();
            using var _ = no_grad();
            var x = cat(champions.Select(c => c.Image.ToTensor(model.Device)).ToArray(), 0);
            x = x.mul(255).round().div(255);
            var logOdds = ClassLogOdds.FromLogits(model.call(x)).to(ScalarType.Float64).cpu();
            return champions.Select((c, i) => ClassLogOdds.ToConfidence(logOdds[i, c.ClassIndex].item<double>())).ToArray();
        });
    }

    private static FoolingSummary Summarise(List<FoolingClassReport> rows, FoolingSearchResult search, IReadOnlyList<NoveltyEvidence>? novelty)
    {
        var conf = rows.Select(r => r.Confidence).OrderBy(v => v).ToArray();
        int? AllAt(Func<FoolingClassReport, int?> f) => rows.All(r => f(r) is not null) ? rows.Max(f) : null;
        return new FoolingSummary
        {
            Classes = rows.Count,
            Reached99 = rows.Count(r => r.GenerationsTo99 is not null),
            Reached999 = rows.Count(r => r.GenerationsTo999 is not null),
            Reached9999 = rows.Count(r => r.GenerationsTo9999 is not null),
            MinConfidence = conf.Length > 0 ? conf[0] : double.NaN,
            MedianConfidence = Median(conf),
            AllClasses99At = AllAt(r => r.GenerationsTo99),
            AllClasses9999At = AllAt(r => r.GenerationsTo9999),
            MedianNearestRatio = novelty is null ? null : Median(novelty.Select(n => n.NearestRatio).OrderBy(v => v).ToArray()),
            MeanTransferConfidence = rows.All(r => r.TransferConfidence is not null) && rows.Count > 0 ? rows.Average(r => r.TransferConfidence!.Value) : null,
            TransferFooled = rows.All(r => r.TransferPrediction is not null) ? rows.Count(r => r.TransferPrediction == r.ClassName) : null,
        };
    }

    private static double Median(double[] sorted) =>
        sorted.Length == 0 ? double.NaN : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : 0.5 * (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]);
}
