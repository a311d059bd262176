using RobustnessLab.Core;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Fooling;

/// <summary>
/// MAP-Elites (Mouret and Clune 2015, arXiv:1504.04909) with one cell per class, as in the fooling-images paper
/// (Nguyen, Yosinski, Clune 2015, arXiv:1412.1897): every cell keeps the most confident image found so far for its
/// class. Each generation draws <c>population</c> parents uniformly from the cells, mutates them, scores all children
/// in ONE batched forward pass (no_grad, eval mode) and lets every child replace the champion of any class it beats
/// (so a child bred from the "Bag" cell may become the new "Sandal" champion). A cell's confidence never decreases.
/// </summary>
public static class MapElites
{
    /// <summary>Runs the search; on cancellation it stops after the current generation and returns the champions so far.</summary>
    /// <param name="model">The classifier to fool (its train/eval mode is restored afterwards).</param>
    /// <param name="encoding">Genome representation; owns the archive.</param>
    /// <param name="classes">Class index of each cell.</param>
    /// <param name="generations">Generations after the random initial population (generation 0).</param>
    /// <param name="population">Children per generation (also the size of the initial population).</param>
    /// <param name="parentSeed">Seed of the parent-cell draws.</param>
    /// <param name="thresholds">Confidence levels whose first crossing is recorded.</param>
    /// <param name="workers">Worker threads sharing each generation's scoring pass (<see cref="SampleWorkers"/>).</param>
    /// <param name="threads">The run's intra-op threads, split among the workers.</param>
    public static FoolingSearchResult Run(Classifier model, IEliteEncoding encoding, int[] classes, int generations, int population,
        int parentSeed, IReadOnlyList<double> thresholds, FoolingMethod method, IProgress<FoolingProgress>? progress = null, CancellationToken cancel = default,
        int workers = 1, int threads = 1)
    {
        if (classes.Length == 0) throw new ArgumentException("no classes to search", nameof(classes));
        if (population < 2) throw new ArgumentOutOfRangeException(nameof(population), population, "population must be >= 2");
        if (generations < 0) throw new ArgumentOutOfRangeException(nameof(generations));
        var recorder = new SearchRecorder(classes.Length, thresholds);
        var rng = new Random(parentSeed);
        long evaluations = 0;
        int done = 0;
        bool cancelled = false;
        using var classIndex = tensor(classes.Select(c => (long)c).ToArray(), device: model.Device);
        model.InEvalMode(() =>
        {
            for (int g = 0; g <= generations; g++)
            {
                if (g > 0 && cancel.IsCancellationRequested) { cancelled = true; break; }
                using var scope = NewDisposeScope();
                Tensor images;
                if (g == 0) images = encoding.SeedCandidates(population);
                else
                {
                    var parents = new int[population];
                    var mates = new int[population];
                    for (int i = 0; i < population; i++) { parents[i] = rng.Next(classes.Length); mates[i] = rng.Next(classes.Length); }
                    images = encoding.Offspring(parents, mates, g);
                }
                var (best, arg) = ScoreBest(model, images, classIndex, workers, threads);
                evaluations += population;
                var cells = new List<int>();
                var winners = new List<int>();
                for (int c = 0; c < classes.Length; c++)
                    if (recorder.Offer(c, best[c], g)) { cells.Add(c); winners.Add(arg[c]); }
                encoding.Promote(cells.ToArray(), winners.ToArray());
                recorder.EndIteration(g);
                done = g;
                progress?.Report(recorder.Progress(g, generations));
            }
            return 0;
        });
        return Result(method, encoding, classes, model.ClassNames, recorder, done, evaluations, cancelled);
    }

    /// <summary>
    /// For each searched class: the best log-odds in the batch and which image has it. One forward pass, or with
    /// several workers one pass per contiguous slice of the batch, each on its own thread: small convolutions scale
    /// poorly across libtorch's intra-op threads. A child's scores do not depend on the slice it is scored in.
    /// </summary>
    internal static (double[] Best, int[] Index) ScoreBest(Classifier model, Tensor images, Tensor classIndex, int workers = 1, int threads = 1)
    {
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        long n = images.shape[0];
        int parts = (int)Math.Min(workers, n);
        Tensor logOdds;
        if (parts <= 1) logOdds = Score(model, images, classIndex);
        else
        {
            var pieces = SampleWorkers.Run(parts, parts, threads, i =>
            {
                // Scopes and grad mode are per thread: each worker opens its own.
                using var inner = NewDisposeScope();
                using var noGrad = no_grad();
                long lo = n * i / parts, len = n * (i + 1) / parts - lo;
                return Score(model, images.narrow(0, lo, len), classIndex).MoveToOuterDisposeScope();
            });
            try { logOdds = cat(pieces, 0); }
            finally { foreach (var p in pieces) p.Dispose(); }
        }
        var (values, indices) = logOdds.max(0);
        return (values.data<double>().ToArray(), indices.data<long>().Select(i => (int)i).ToArray());
    }

    /// <summary>
    /// Log-odds per image and searched class. A child whose logits are NaN scores -inf: torch's max propagates NaN, so
    /// one such child would otherwise make a whole generation's best NaN, no cell would take an elite, and the next
    /// generation would have no parent to mutate.
    /// </summary>
    private static Tensor Score(Classifier model, Tensor images, Tensor classIndex)
    {
        var logOdds = ClassLogOdds.FromLogits(model.call(images)).index_select(1, classIndex).to(ScalarType.Float64).cpu();
        return logOdds.masked_fill(logOdds.isnan(), double.NegativeInfinity);
    }

    private static FoolingSearchResult Result(FoolingMethod method, IEliteEncoding encoding, int[] classes, IReadOnlyList<string> names,
        SearchRecorder recorder, int iterations, long evaluations, bool cancelled)
    {
        var champions = new List<FoolingChampion>();
        for (int c = 0; c < classes.Length; c++)
            champions.Add(new FoolingChampion
            {
                ClassIndex = classes[c],
                ClassName = names[classes[c]],
                Confidence = ClassLogOdds.ToConfidence(recorder.Best[c]),
                LogOdds = recorder.Best[c],
                FoundAt = recorder.FoundAt[c],
                FoundAtSeconds = recorder.FoundAtSeconds[c],
                Crossings = recorder.Crossings(c),
                Genome = encoding.Describe(c),
                Image = encoding.Elite(c),
            });
        return new FoolingSearchResult
        {
            Method = method,
            Champions = champions,
            Curve = recorder.Curve,
            Iterations = iterations,
            Evaluations = evaluations,
            Seconds = recorder.Seconds,
            Cancelled = cancelled,
        };
    }
}
