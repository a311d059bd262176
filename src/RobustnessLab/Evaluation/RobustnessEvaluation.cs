using System.Diagnostics;
using System.Globalization;
using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Evaluation;

/// <summary>
/// Robustness of a classifier on the first N rows of a dataset: clean accuracy; for every attack and epsilon the
/// robust accuracy, both success rates, the adversarial confidence, the norms measured on the returned images, time
/// and cost; the per-sample worst case per norm with its class flips; optionally the minimal epsilon per sample;
/// and the sanity flags. Returns plain records; library code, so it reports progress and never prints.
/// </summary>
public static class RobustnessEvaluation
{
    /// <param name="checkpoint">
    /// Where each finished (attack, batch) outcome is kept and looked up first, so a killed evaluation resumes where it
    /// stopped (see <see cref="EvaluationCheckpoint"/>); null keeps nothing.
    /// </param>
    /// <param name="trainedAt">The radius the model was adversarially trained at, if known (see <see cref="SanityFlags.Compute"/>).</param>
    public static RobustnessReport Run(Classifier model, Dataset data, RobustnessOptions options, IProgress<RobustnessProgress>? progress = null,
        CancellationToken cancel = default, string? modelName = null, EvaluationCheckpoint? checkpoint = null, Training.TrainingRadius? trainedAt = null)
    {
        options.Validate();
        // The batch asked for is an upper bound: large inputs (ResNet-50 at 224 px) get batches whose activations stay
        // under the allocator's mmap threshold, as in every other inference path (BatchSizing).
        options = options with { BatchSize = BatchSizing.Fit(model, options.BatchSize) };
        // Eval mode once for the whole run: workers share the model and must not switch its mode under each other.
        return model.InEvalMode(() => RunInEvalMode(model, data, options, progress, cancel, modelName, checkpoint, trainedAt));
    }

    private static RobustnessReport RunInEvalMode(Classifier model, Dataset data, RobustnessOptions options, IProgress<RobustnessProgress>? progress,
        CancellationToken cancel, string? modelName, EvaluationCheckpoint? checkpoint, Training.TrainingRadius? trainedAt)
    {
        var spec = model.Spec;
        if (spec.Channels != data.Channels || spec.Height != data.Height || spec.Width != data.Width)
            throw new LabException($"model input shape {spec.Channels}x{spec.Height}x{spec.Width} does not match dataset '{data.Name}' ({data.Channels}x{data.Height}x{data.Width})");
        if (spec.NumClasses != data.NumClasses)
            throw new LabException($"model has {spec.NumClasses} classes, dataset '{data.Name}' has {data.NumClasses}");
        var criterion = options.Criterion;
        criterion.Validate(model.NumClasses);
        var attacks = options.Attacks.Select(a => AttackRegistry.Create(a.Name, a.Args)).ToList();
        foreach (var a in attacks)
            if (criterion.IsTargeted && !a.SupportsTargeted) throw new LabException($"attack '{a.Name}' is untargeted only; drop it or run untargeted");

        var total = Stopwatch.StartNew();
        int n = options.Samples > 0 ? Math.Min(options.Samples, data.Count) : data.Count;
        if (n == 0) throw new LabException($"dataset '{data.Name}' has no samples to evaluate");
        var order = Enumerable.Range(0, n).Select(i => (long)i).ToArray();
        int batches = (n + options.BatchSize - 1) / options.BatchSize;
        var minimal = options.MinimalEpsilonAttack is { } ms ? AttackRegistry.Create(ms.Name, ms.Args) : null;
        int units = batches * (1 + attacks.Count + (minimal is null ? 0 : 1));
        int done = 0;
        var progressLock = new object();
        int threads = torch.get_num_threads();
        void Report(string stage) => progress?.Report(new RobustnessProgress(done, units, stage));

        // Clean pass: labels, predictions, zero-gradient check.
        var labels = new long[n];
        var cleanCorrect = new bool[n];
        int zeroGradients = 0;
        var device = model.Device;
        for (int b = 0; b < batches; b++)
        {
            cancel.ThrowIfCancellationRequested();
            Report("clean accuracy");
            using var scope = NewDisposeScope();
            var (x, y) = data.Batch(order, b * options.BatchSize, options.BatchSize, device);
            var yl = y.cpu().data<long>().ToArray();
            zeroGradients += model.InEvalMode(() =>
            {
                using var inner = NewDisposeScope();
                var (g, logits) = new AttackModel(model).Gradient(x, l => AttackLoss.CrossEntropy(l, y));
                var pred = logits.argmax(1).cpu().data<long>().ToArray();
                for (int i = 0; i < yl.Length; i++)
                {
                    labels[b * options.BatchSize + i] = yl[i];
                    cleanCorrect[b * options.BatchSize + i] = pred[i] == yl[i];
                }
                return (int)g.flatten(1).abs().amax(1).eq(0).sum().item<long>();
            });
            done++;
        }
        int correctCount = cleanCorrect.Count(c => c);
        double clean = correctCount / (double)n;
        int reusedBefore = checkpoint?.Reused ?? 0;
        // What every saved outcome of this run must match besides the caller's scope (see EvaluationCheckpoint).
        string runIdentity = checkpoint is null ? "" : RunIdentity(data, labels, cleanCorrect, options, criterion);

        var records = new List<AttackRecord>();
        // Worst case per (norm, eps): sample still correct under every attack; the first breaking prediction.
        var robust = new Dictionary<(string Norm, double Eps), bool[]>();
        var brokenTo = new Dictionary<(string Norm, double Eps), long[]>();
        var contributors = new Dictionary<(string Norm, double Eps), List<string>>();
        for (int ai = 0; ai < attacks.Count; ai++)
        {
            var attack = attacks[ai];
            var eps = (attack.Distance == Distance.L2 ? options.L2Epsilons : options.Epsilons).ToArray();
            var acc = eps.Select(_ => new Accumulator(criterion.IsTargeted)).ToArray();
            var minimalNorms = new List<double>();
            string mode = attack is MinimizationAttack ? "minimisation" : attack.ModeRun(options.Mode).Name();
            string grid = "independent";
            foreach (var e in eps)
            {
                var key = (attack.Distance.Name, e);
                if (!robust.ContainsKey(key))
                {
                    robust[key] = (bool[])cleanCorrect.Clone();
                    brokenTo[key] = Enumerable.Repeat(-1L, n).ToArray();
                    contributors[key] = [];
                }
                contributors[key].Add(attack.Name);
            }
            // Batches are independent (each derives its generator from the seed, the attack and the batch index), so
            // workers may take them in any order; results are folded in batch order.
            int attackIndex = ai;
            string attackIdentity = runIdentity + $"\nattack {ai}: {options.Attacks[ai].Canonical()} eps [{string.Join(" ", eps.Select(e => e.ToString("R", CultureInfo.InvariantCulture)))}]";
            bool cascade = attack is WorstCaseEnsemble && options.Mode == AttackMode.EarlyStop && !criterion.IsTargeted;
            var savedCascade = cascade ? checkpoint?.TryRead<BatchOutcome[]>(attackIdentity + "\nall batches") : null;
            var outcomes = cascade
                ? savedCascade ?? Cascade(model, data, order, options, (WorstCaseEnsemble)attack, ai, eps, criterion, threads, stage =>
                {
                    lock (progressLock) Report(stage);
                }, cancel)
                : SampleWorkers.Run(batches, options.Workers, threads, b =>
            {
                cancel.ThrowIfCancellationRequested();
                if (checkpoint?.TryRead<BatchOutcome>(attackIdentity + $"\nbatch {b}") is { } saved)
                {
                    lock (progressLock)
                    {
                        done++;
                        Report($"{attack.Name} ({b + 1}/{batches}, saved)");
                    }
                    return saved;
                }
                using var scope = NewDisposeScope();
                int start = b * options.BatchSize;
                var (x, y) = data.Batch(order, start, options.BatchSize, device);
                using var generator = new Generator(LabContext.DeriveSeed(options.Seed, 1_000_003L * (attackIndex + 1) + b), CPU);
                using var result = attack.Run(model, x, y, eps, criterion, generator, cancel, options.Mode, options.NestedEpsilons);
                var outcome = BatchOutcome.From(result, x, model);
                checkpoint?.Write(attackIdentity + $"\nbatch {b}", outcome);
                lock (progressLock)
                {
                    done++;
                    Report($"{attack.Name} ({b + 1}/{batches})");
                }
                return outcome;
            }, cancel);
            if (cascade)
            {
                done += batches;
                if (savedCascade is null) checkpoint?.Write(attackIdentity + "\nall batches", outcomes);
            }
            foreach (var (outcome, b) in outcomes.Select((o, b) => (o, b)))
            {
                int start = b * options.BatchSize;
                for (int e = 0; e < eps.Length; e++)
                {
                    var key = (attack.Distance.Name, eps[e]);
                    var p = outcome.Predictions[e];
                    for (int i = 0; i < p.Length; i++)
                    {
                        int gi = start + i;
                        bool correct = p[i] == labels[gi];
                        acc[e].Add(cleanCorrect[gi], correct, outcome.Success[e][i], outcome.Confidence[e][i], outcome.Linf[e][i], outcome.L2[e][i], outcome.L0[e][i]);
                        if (!correct && robust[key][gi])
                        {
                            robust[key][gi] = false;
                            brokenTo[key][gi] = p[i];
                        }
                    }
                    acc[e].Seconds += outcome.Seconds[e];
                    if (outcome.Stages?[e] is { } stages) acc[e].AddStages(stages);
                    acc[e].Gradients += outcome.GradientEvaluations[e];
                    acc[e].Queries += outcome.Queries[e];
                }
                if (outcome.MinimalNorms is { } norms)
                    for (int i = 0; i < norms.Length; i++)
                        if (cleanCorrect[start + i]) minimalNorms.Add(norms[i]);
                mode = outcome.Mode;
                grid = outcome.NestedEpsilons ? "nested" : "independent";
            }
            for (int e = 0; e < eps.Length; e++)
                records.Add(acc[e].ToRecord(attack, eps[e], criterion.IsTargeted, n, correctCount, minimalNorms) with
                {
                    Mode = attack is MinimizationAttack ? "minimisation" : mode,
                    EpsilonGrid = attack is MinimizationAttack ? "single run" : grid,
                });
        }

        var worst = robust.OrderBy(k => k.Key.Norm).ThenBy(k => k.Key.Eps).Select(kv =>
            new WorstCaseRecord(kv.Key.Norm, kv.Key.Eps, kv.Value.Count(r => r) / (double)n, contributors[kv.Key],
                Flips(labels, brokenTo[kv.Key], model.ClassNames, options.TopFlips))).ToList();

        MinimalEpsilonReport? minimalReport = null;
        if (minimal is not null)
            minimalReport = MinimalEpsilons(model, data, order, options, minimal, criterion, cleanCorrect, batches, cancel, stage =>
            {
                Report(stage);
                done++;
            });

        var counts = labels.GroupBy(l => l).Select(g => g.Count()).ToArray();
        var flags = SanityFlags.Compute(clean, records, worst, zeroGradients / (double)n, n, model.NumClasses, counts.Max() / (double)n, trainedAt);
        done = units;
        Report("done");
        return new RobustnessReport
        {
            Model = modelName,
            Dataset = data.Name,
            Samples = n,
            Criterion = criterion.Describe(),
            Seed = options.Seed,
            CleanAccuracy = clean,
            Attacks = records,
            WorstCase = worst,
            Flags = flags,
            ZeroGradientFraction = zeroGradients / (double)n,
            MinimalEpsilon = minimalReport,
            Seconds = total.Elapsed.TotalSeconds,
            ResumedOutcomes = (checkpoint?.Reused ?? 0) - reusedBefore,
        };
    }

    /// <summary>The samples (with their labels and clean predictions) and the settings every attack of the run shares.</summary>
    private static string RunIdentity(Dataset data, long[] labels, bool[] cleanCorrect, RobustnessOptions o, Criterion criterion)
    {
        var bytes = new byte[labels.Length * 9];
        for (int i = 0; i < labels.Length; i++)
        {
            BitConverter.TryWriteBytes(bytes.AsSpan(i * 9, 8), labels[i]);
            bytes[i * 9 + 8] = cleanCorrect[i] ? (byte)1 : (byte)0;
        }
        string samples = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes))[..16];
        return $"robustness evaluation v1\ndata {data.Name} {data.Channels}x{data.Height}x{data.Width}, first {labels.Length} samples {samples}\n" +
               $"batch {o.BatchSize}, seed {o.Seed}, {criterion.Describe()}, mode {o.Mode.Name()}, nested {o.NestedEpsilons}";
    }

    private static MinimalEpsilonReport MinimalEpsilons(Classifier model, Dataset data, long[] order, RobustnessOptions options, Attack attack,
        Criterion criterion, bool[] cleanCorrect, int batches, CancellationToken cancel, Action<string> step)
    {
        var values = new List<double>();
        double max = options.MinimalEpsilonMax;
        string method;
        for (int b = 0; b < batches; b++)
        {
            step($"minimal eps: {attack.Name} ({b + 1}/{batches})");
            using var scope = NewDisposeScope();
            int start = b * options.BatchSize;
            var (x, y) = data.Batch(order, start, options.BatchSize, model.Device);
            double[] found;
            if (attack is FixedEpsilonAttack fixedEps)
                found = MinimalEpsilon.Search(model, fixedEps, x, y, max, options.BisectionSteps, criterion, options.Seed + b, cancel);
            else
            {
                using var generator = new Generator(LabContext.DeriveSeed(options.Seed, 0x313 + b), CPU);
                using var result = attack.Run(model, x, y, [], criterion, generator, cancel);
                found = result.MinimalNorms!.Select(v => v > max ? double.PositiveInfinity : v).ToArray();
            }
            for (int i = 0; i < found.Length; i++)
                if (cleanCorrect[start + i]) values.Add(found[i]);
        }
        method = attack is FixedEpsilonAttack ? $"bisection, {options.BisectionSteps} steps" : "minimisation attack";
        values.Sort();
        double? Quantile(double q)
        {
            if (values.Count == 0) return null;
            var v = values[(int)Math.Min(values.Count - 1, Math.Floor(q * values.Count))];
            return double.IsInfinity(v) ? null : v;
        }
        var finite = values.Where(v => !double.IsInfinity(v)).ToList();
        var histogram = new int[10];
        foreach (var v in finite) histogram[Math.Min(9, (int)(v / max * 10))]++;
        return new MinimalEpsilonReport
        {
            Attack = attack.Name,
            Norm = attack.Distance.Name,
            Method = method,
            MaxEps = max,
            Samples = values.Count,
            Found = finite.Count,
            Median = Quantile(0.5),
            Mean = finite.Count == values.Count && finite.Count > 0 ? finite.Average() : null,
            Quantiles = [Quantile(0.1), Quantile(0.25), Quantile(0.5), Quantile(0.75), Quantile(0.9)],
            Histogram = histogram,
        };
    }

    private static List<ClassFlip> Flips(long[] labels, long[] brokenTo, IReadOnlyList<string> names, int top)
    {
        int broken = brokenTo.Count(t => t >= 0);
        return labels.Zip(brokenTo).Where(p => p.Second >= 0).GroupBy(p => p).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.First).ThenBy(g => g.Key.Second)
            .Take(top).Select(g => new ClassFlip(names[(int)g.Key.First], names[(int)g.Key.Second], g.Count(), g.Count() / (double)broken)).ToList();
    }

    /// <summary>
    /// An ensemble evaluated as AutoAttack does (Croce and Hein 2020, arXiv:2003.01690): each member runs, with early
    /// stopping, on every sample no earlier member broke, regrouped into full batches across the whole set (so the
    /// last members, which see few samples, run a few large batches instead of many tiny ones). One difference, for
    /// both cores: with three or more members the last one (Square in AutoAttack's list) runs on the samples the first
    /// left robust, beside the middle ones (middle members after the first run in fixed chunks that either lane takes),
    /// and a sample a middle member broke keeps that member's example; the per-sample worst case is over the same
    /// members. With a nested grid the
    /// epsilons run in increasing order and samples broken at a smaller one keep that example. Each regrouped batch
    /// derives its generator from the seed, the attack, the member, the epsilon and the batch index, so the result does
    /// not depend on the worker count. Returns the outcome per original batch, as the per-batch path does; the cost
    /// totals are carried by the first batch.
    /// </summary>
    private static BatchOutcome[] Cascade(Classifier model, Dataset data, long[] order, RobustnessOptions options, WorstCaseEnsemble ensemble, int attackIndex,
        double[] eps, Criterion criterion, int threads, Action<string> report, CancellationToken cancel)
    {
        int n = order.Length, k = eps.Length, size = options.BatchSize;
        var pred = new long[k][];
        var conf = new float[k][];
        var linf = new float[k][];
        var l2 = new float[k][];
        var l0 = new float[k][];
        var success = new bool[k][];
        var seconds = new double[k];
        var grads = new long[k];
        var queries = new long[k];
        var stages = new IReadOnlyList<EnsembleStage>[k];
        bool nested = options.NestedEpsilons;
        var indices = Enumerable.Range(0, k).ToArray();
        if (nested) indices = indices.OrderBy(e => eps[e]).ToArray();
        var carried = new bool[n];
        int previous = -1;
        foreach (int e in indices)
        {
            pred[e] = new long[n];
            conf[e] = new float[n];
            linf[e] = new float[n];
            l2[e] = new float[n];
            l0[e] = new float[n];
            success[e] = new bool[n];
            var log = new List<EnsembleStage>();
            stages[e] = log;
            var remaining = Enumerable.Range(0, n).Where(i => !carried[i]).ToList();
            foreach (int i in Enumerable.Range(0, n).Where(i => carried[i]))
            {
                pred[e][i] = pred[previous][i];
                conf[e][i] = conf[previous][i];
                linf[e][i] = linf[previous][i];
                l2[e][i] = l2[previous][i];
                l0[e][i] = l0[previous][i];
                success[e][i] = true;
            }
            IReadOnlyList<Attack> members = eps[e] == 0 ? [ensemble.Attacks[0]] : ensemble.Attacks;
            int epsIndex = e;

            // One group of a member's set: rows starts[g] .. starts[g + 1] of the set, with its own generator (derived
            // from the seed, the attack, the member, the epsilon and the group), so its outcome depends only on the set
            // and the grouping, never on the thread that runs it.
            BatchOutcome Group(int m, long[] rows, int start, int count, int g)
            {
                // A one-member ensemble runs the member exactly as the full ensemble would (minimisation members at
                // the budget, samples the model already gets wrong left unattacked) and logs its turn. A partial group
                // (the few samples the earlier members left robust) runs thousands of sequential tiny steps; on one
                // intra-op thread they do not wait on the second core at every operation.
                var member = new WorstCaseEnsemble([members[m]], members[m].Name);
                using var narrow = count < size ? SampleWorkers.IntraOpThreads(1) : null;
                using var scope = NewDisposeScope();
                var (x, y) = data.Batch(rows, start, count, model.Device);
                using var generator = new Generator(LabContext.DeriveSeed(options.Seed,
                    1_000_003L * (attackIndex + 1) + 10_007L * (m + 1) + 101L * (epsIndex + 1) + g), CPU);
                using var result = member.Run(model, x, y, [eps[epsIndex]], criterion, generator, cancel, AttackMode.EarlyStop);
                return BatchOutcome.From(result, x, model);
            }

            int[] Starts(int n, int groupSize) => Enumerable.Range(0, (n + groupSize - 1) / groupSize).Select(g => g * groupSize).ToArray();

            MemberTurn Assemble(int m, List<int> set, int[] starts, BatchOutcome[] parts)
            {
                var turn = new EnsembleStage(members[m].Name, 0, 0, 0, 0, 0);
                double turnSeconds = 0;
                long turnGrads = 0, turnQueries = 0;
                foreach (var part in parts)
                {
                    if (part.Stages?[0] is [var st]) turn = turn with
                    {
                        Attacked = turn.Attacked + st.Attacked,
                        Broken = turn.Broken + st.Broken,
                        Seconds = turn.Seconds + st.Seconds,
                        GradientEvaluations = turn.GradientEvaluations + st.GradientEvaluations,
                        Queries = turn.Queries + st.Queries,
                    };
                    turnSeconds += part.Seconds[0];
                    turnGrads += part.GradientEvaluations[0];
                    turnQueries += part.Queries[0];
                }
                return new MemberTurn(set, parts, starts, turn, turnSeconds, turnGrads, turnQueries);
            }

            // One member's turn on a set of samples (indices into order), regrouped into full batches.
            MemberTurn Turn(int m, List<int> set, int workers, int turnThreads)
            {
                var rows = set.Select(i => order[i]).ToArray();
                var starts = Starts(rows.Length, size);
                report($"{ensemble.Name}: {members[m].Name} at eps {eps[epsIndex]:0.####} on {rows.Length} samples");
                var parts = SampleWorkers.Run(starts.Length, workers, turnThreads,
                    g => Group(m, rows, starts[g], Math.Min(size, rows.Length - starts[g]), g), cancel);
                return Assemble(m, set, starts, parts);
            }

            // Folds a turn into the per-sample arrays. Only samples still open are taken (a member run beside the
            // others may have attacked samples an earlier member broke: the earlier member's example stands).
            List<int> Apply(MemberTurn t, HashSet<int>? open)
            {
                var stillRobust = new List<int>();
                int newlyBroken = 0;
                for (int g = 0; g < t.Parts.Length; g++)
                {
                    var part = t.Parts[g];
                    for (int r = 0; r < part.Predictions[0].Length; r++)
                    {
                        int i = t.Set[t.Starts[g] + r];
                        if (open is not null && !open.Contains(i)) continue;
                        pred[e][i] = part.Predictions[0][r];
                        conf[e][i] = part.Confidence[0][r];
                        linf[e][i] = part.Linf[0][r];
                        l2[e][i] = part.L2[0][r];
                        l0[e][i] = part.L0[0][r];
                        success[e][i] = part.Success[0][r];
                        if (success[e][i]) newlyBroken++;
                        else stillRobust.Add(i);
                    }
                }
                seconds[e] += t.Seconds;
                grads[e] += t.GradientEvaluations;
                queries[e] += t.Queries;
                // Broken counts only the samples this turn decided, so the log's robust accuracy after each member adds up.
                if (eps[e] != 0) log.Add(open is null ? t.Stage : t.Stage with { Broken = newlyBroken });
                return stillRobust;
            }

            static List<int> Survivors(MemberTurn t) =>
                t.Parts.SelectMany((part, g) => Enumerable.Range(0, part.Success[0].Length).Where(r => !part.Success[0][r]).Select(r => t.Set[t.Starts[g] + r])).ToList();

            if (remaining.Count > 0) remaining = Apply(Turn(0, remaining, options.Workers, threads), null);
            if (members.Count >= 3 && remaining.Count > 0)
            {
                // The samples the first member left robust go to two lanes. One runs the middle members one after
                // another, each on what the previous left robust (AutoAttack's APGD-T, then FAB-T); the other runs the
                // last member (Square) on all of them. Middle members after the first are cut into at most eight
                // fixed chunks, and whichever lane is free takes the next chunk, so the lane that finishes first helps
                // the other. On two or more threads the lanes run side by side, one thread each; on one thread the
                // same jobs run one after the other. Sets, chunks and streams are the same either way, so results do not
                // depend on the thread or worker count. The price: the last member also attacks the few samples the
                // middle members break; their examples win.
                var afterFirst = remaining;
                int lastIndex = members.Count - 1;
                bool sideBySide = threads >= 2 || options.Workers >= 2;
                int laneThreads = Math.Max(1, threads / 2);
                int jobWorkers = sideBySide ? Math.Max(1, options.Workers / 2) : options.Workers;
                int jobThreads = sideBySide ? laneThreads : threads;
                var middle = new MemberTurn?[lastIndex];
                MemberTurn? last = null;
                var gate = new object();
                var ready = new Queue<Action>();
                int pending = 0;
                bool failed = false;

                void Enqueue(Action job)
                {
                    lock (gate)
                    {
                        ready.Enqueue(job);
                        pending++;
                        Monitor.PulseAll(gate);
                    }
                }

                // Member m (m >= 2) in chunks on the set member m - 1 left robust; the chunk that finishes last
                // folds them and starts member m + 1.
                void Chunked(int m, List<int> set)
                {
                    if (m >= lastIndex || set.Count == 0) return;
                    var rows = set.Select(i => order[i]).ToArray();
                    var starts = Starts(rows.Length, Math.Min(size, Math.Max(8, (rows.Length + 7) / 8)));
                    var parts = new BatchOutcome[starts.Length];
                    int left = starts.Length;
                    report($"{ensemble.Name}: {members[m].Name} at eps {eps[epsIndex]:0.####} on {rows.Length} samples");
                    for (int g = 0; g < starts.Length; g++)
                    {
                        int chunk = g;
                        Enqueue(() =>
                        {
                            int end = chunk + 1 < starts.Length ? starts[chunk + 1] : rows.Length;
                            parts[chunk] = Group(m, rows, starts[chunk], end - starts[chunk], chunk);
                            if (Interlocked.Decrement(ref left) > 0) return;
                            var turn = Assemble(m, set, starts, parts);
                            middle[m] = turn;
                            Chunked(m + 1, Survivors(turn));
                        });
                    }
                }

                Enqueue(() =>
                {
                    var turn = Turn(1, afterFirst, jobWorkers, jobThreads);
                    middle[1] = turn;
                    Chunked(2, Survivors(turn));
                });
                Enqueue(() => last = Turn(lastIndex, afterFirst, jobWorkers, jobThreads));

                bool Work(int lane)
                {
                    while (true)
                    {
                        Action job;
                        lock (gate)
                        {
                            while (ready.Count == 0 && pending > 0 && !failed) Monitor.Wait(gate);
                            if (failed || ready.Count == 0) return true;
                            job = ready.Dequeue();
                        }
                        try { job(); }
                        catch
                        {
                            lock (gate)
                            {
                                failed = true;
                                Monitor.PulseAll(gate);
                            }
                            throw;
                        }
                        lock (gate)
                        {
                            pending--;
                            Monitor.PulseAll(gate);
                        }
                    }
                }

                if (sideBySide)
                {
                    SampleWorkers.Run(2, 2, 2 * laneThreads, Work, cancel);
                    torch.set_num_threads(threads);
                }
                else Work(0);
                for (int m = 1; m < lastIndex; m++)
                    if (middle[m] is { } turn) remaining = Apply(turn, null);
                    else if (eps[e] != 0) log.Add(new EnsembleStage(members[m].Name, 0, 0, 0, 0, 0)); // every sample broken earlier
                remaining = Apply(last!, remaining.ToHashSet());
            }
            else
                for (int m = 1; m < members.Count && remaining.Count > 0; m++)
                    remaining = Apply(Turn(m, remaining, options.Workers, threads), null);
            // Members that never got a turn (every sample broken earlier) are listed with nothing attacked.
            if (eps[e] != 0)
                foreach (var unused in ensemble.Attacks.Skip(log.Count)) log.Add(new EnsembleStage(unused.Name, 0, 0, 0, 0, 0));
            if (nested)
                for (int i = 0; i < n; i++) carried[i] |= success[e][i];
            previous = e;
        }
        int batches = (n + size - 1) / size;
        return Enumerable.Range(0, batches).Select(b =>
        {
            int start = b * size, count = Math.Min(size, n - start);
            T[][] Slice<T>(T[][] all) => all.Select(a => a.Skip(start).Take(count).ToArray()).ToArray();
            return new BatchOutcome(Slice(pred), Slice(conf), Slice(linf), Slice(l2), Slice(l0), Slice(success),
                b == 0 ? seconds : new double[k], b == 0 ? grads : new long[k], b == 0 ? queries : new long[k], null, AttackMode.EarlyStop.Name(), nested,
                b == 0 ? stages : null);
        }).ToArray();
    }

    /// <summary>One ensemble member's turn on a set of samples: its groups' outcomes, where each group starts in the set, and its summed cost.</summary>
    private sealed record MemberTurn(List<int> Set, BatchOutcome[] Parts, int[] Starts, EnsembleStage Stage, double Seconds, long GradientEvaluations,
        long Queries);

    /// <summary>What one attack run on one batch contributes, as plain arrays (per epsilon, per sample).</summary>
    private sealed record BatchOutcome(long[][] Predictions, float[][] Confidence, float[][] Linf, float[][] L2, float[][] L0, bool[][] Success,
        double[] Seconds, long[] GradientEvaluations, long[] Queries, double[]? MinimalNorms, string Mode, bool NestedEpsilons,
        IReadOnlyList<EnsembleStage>[]? Stages)
    {
        public static BatchOutcome From(AttackResult result, Tensor x, Classifier model)
        {
            int k = result.Epsilons.Length;
            var predictions = new long[k][];
            var confidence = new float[k][];
            var linf = new float[k][];
            var l2 = new float[k][];
            var l0 = new float[k][];
            for (int e = 0; e < k; e++)
            {
                using var scope = NewDisposeScope();
                var adv = result.Adversarials[e];
                // The attack computed these logits on the returned examples: no second forward pass.
                var logits = result.Logits?[e] ?? model.Predict(adv);
                var (conf, pred) = logits.softmax(1).max(1);
                var delta = adv - x;
                linf[e] = Distance.Linf.Measure(delta).cpu().data<float>().ToArray();
                l2[e] = Distance.L2.Measure(delta).cpu().data<float>().ToArray();
                l0[e] = Distance.L0.Measure(delta).cpu().data<float>().ToArray();
                predictions[e] = pred.cpu().data<long>().ToArray();
                confidence[e] = conf.cpu().data<float>().ToArray();
            }
            string mode = result.Mode.Name();
            return new BatchOutcome(predictions, confidence, linf, l2, l0, result.Success, result.Seconds, result.GradientEvaluations, result.Queries,
                result.MinimalNorms, mode, result.NestedEpsilons, result.Stages);
        }
    }

    /// <summary>
    /// Running sums for one attack at one epsilon. A sample is robust only if the model classifies both the clean image
    /// and the attack's image correctly: the clean image lies in every ball, so a sample misclassified to begin with is
    /// broken at any epsilon (RobustBench's and AutoAttack's count) even where a loss-maximising step happens to land on
    /// the right class; that step still shows in <see cref="AttackRecord.AccuracyUnderAttack"/>.
    /// </summary>
    private sealed class Accumulator(bool targeted)
    {
        private int count, stillCorrect, advCorrect, successAll, successCorrect, brokenCorrect;
        private double confidenceSum, maxLinf, l2Sum, l0Sum;
        public double Seconds;
        public long Gradients, Queries;
        private List<Attacks.EnsembleStage>? stages;

        /// <summary>Sums an ensemble's per-member counts over batches (members keep their order).</summary>
        public void AddStages(IReadOnlyList<Attacks.EnsembleStage> batch)
        {
            stages ??= batch.Select(s => s with { Attacked = 0, Broken = 0, Seconds = 0, GradientEvaluations = 0, Queries = 0 }).ToList();
            for (int i = 0; i < batch.Count; i++)
                stages[i] = stages[i] with
                {
                    Attacked = stages[i].Attacked + batch[i].Attacked,
                    Broken = stages[i].Broken + batch[i].Broken,
                    Seconds = stages[i].Seconds + batch[i].Seconds,
                    GradientEvaluations = stages[i].GradientEvaluations + batch[i].GradientEvaluations,
                    Queries = stages[i].Queries + batch[i].Queries,
                };
        }

        public void Add(bool cleanCorrect, bool advCorrect, bool success, double confidence, double linf, double l2, double l0)
        {
            count++;
            if (advCorrect) this.advCorrect++;
            if (cleanCorrect && advCorrect) stillCorrect++;
            if (success || (!targeted && !cleanCorrect)) successAll++;
            if (cleanCorrect && success) successCorrect++;
            if (cleanCorrect && !advCorrect)
            {
                brokenCorrect++;
                confidenceSum += confidence;
            }
            maxLinf = Math.Max(maxLinf, linf);
            l2Sum += l2;
            l0Sum += l0;
        }

        public AttackRecord ToRecord(Attack attack, double eps, bool targeted, int n, int correct, List<double> minimalNorms)
        {
            double? median = null;
            if (minimalNorms.Count > 0)
            {
                var sorted = minimalNorms.OrderBy(v => v).ToList();
                var m = sorted[sorted.Count / 2];
                median = double.IsInfinity(m) ? null : m;
            }
            return new AttackRecord
            {
                Attack = attack.Name,
                Norm = attack.Distance.Name,
                Eps = eps,
                Targeted = targeted,
                RobustAccuracy = stillCorrect / (double)n,
                AccuracyUnderAttack = advCorrect / (double)n,
                SuccessRateCorrect = correct == 0 ? double.NaN : successCorrect / (double)correct,
                SuccessRateAll = successAll / (double)n,
                MeanAdvConfidence = brokenCorrect == 0 ? double.NaN : confidenceSum / brokenCorrect,
                MaxLinf = maxLinf,
                MeanL2 = l2Sum / n,
                MeanL0 = l0Sum / n,
                Seconds = Seconds,
                GradientEvals = attack.UsesGradients ? Gradients / (double)n : null,
                Queries = attack.UsesGradients ? null : Queries / (double)n,
                MedianMinimalNorm = median,
                Stages = StageRecords(correct, n),
            };
        }

        private List<EnsembleStageRecord>? StageRecords(int correct, int n)
        {
            if (stages is null) return null;
            int robust = correct;
            var list = new List<EnsembleStageRecord>();
            foreach (var s in stages)
            {
                robust -= s.Broken;
                list.Add(new EnsembleStageRecord
                {
                    Attack = s.Attack, Attacked = s.Attacked, Broken = s.Broken, RobustAccuracyAfter = robust / (double)n,
                    Seconds = s.Seconds, GradientEvals = s.GradientEvaluations, Queries = s.Queries,
                });
            }
            return list;
        }
    }
}
