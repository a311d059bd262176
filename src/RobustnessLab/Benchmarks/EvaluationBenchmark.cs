using System.Diagnostics;
using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Evaluation;
using RobustnessLab.Models;
using RobustnessLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Benchmarks;

/// <summary>
/// Wall time of the two evaluations researchers wait for, each run twice in the same process on the same model:
/// the baseline path (loss-maximising attacks, every epsilon on every sample, one worker with all threads, libtorch's
/// max_pool2d in every pass: the evaluation as it ran before early stopping), the default path on one worker (early stopping, nested epsilon grid),
/// and the default path with workers; the ratios of neighbouring paths separate what early stopping and workers give.
/// An AutoAttack-style evaluation (APGD-CE, APGD-T, Square 5000 queries, FAB-T where the lab has it) of the first N
/// test images at one epsilon, and a 7-point PGD-20 robustness curve. Both paths' robust accuracies are reported so
/// a reader sees they agree.
/// </summary>
public static class EvaluationBenchmark
{
    /// <summary>The curve's epsilons (those of experiments/robustness-curves.yaml).</summary>
    public static readonly IReadOnlyList<double> CurveEpsilons = [0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3];

    /// <summary>The AutoAttack-style attack: the lab's `autoattack` when registered, else the APGD-CE + APGD-T + Square ensemble.</summary>
    public static AttackSpec AutoAttackSpec() =>
        AttackRegistry.Names.Contains("autoattack", StringComparer.OrdinalIgnoreCase) ? new AttackSpec("autoattack") : new AttackSpec("ensemble");

    /// <summary>A standard cnn trained on Fashion-MNIST (the benchmark needs a model whose robustness is realistic).</summary>
    public static Classifier TrainStandardCnn(LabContext lab, DataSplits data, int epochs, IProgress<TrainingProgress>? progress = null,
        CancellationToken cancel = default)
    {
        var options = new ModelTrainingOptions { Architecture = "cnn", Training = new TrainingOptions { Epochs = epochs, Seed = 0 } };
        return new ModelTraining(lab).Run(options, data, data.Name, progress: progress, cancel: cancel).Model;
    }

    /// <summary>Runs both evaluations on both paths; keys as in the bench JSON's "eval" object.</summary>
    public static Dictionary<string, double> Run(Classifier model, Dataset test, int samples, double eps, int workers, IProgress<string>? progress = null,
        CancellationToken cancel = default)
    {
        var result = new Dictionary<string, double>();
        var auto = AutoAttackSpec();
        RobustnessOptions Baseline(RobustnessOptions o) => o with { Mode = AttackMode.MaximizeLoss, NestedEpsilons = false, Workers = 1 };
        RobustnessOptions Fast(RobustnessOptions o) => o with { Mode = AttackMode.EarlyStop, NestedEpsilons = true, Workers = workers };
        RobustnessOptions OneWorker(RobustnessOptions o) => Fast(o) with { Workers = 1 };
        var autoOptions = new RobustnessOptions { Attacks = [auto], Epsilons = [eps], Samples = samples, BatchSize = 250 };
        var curveOptions = new RobustnessOptions
        {
            Attacks = [new("pgd", new Dictionary<string, double> { ["steps"] = 20 })], Epsilons = CurveEpsilons, Samples = samples, BatchSize = 250,
        };

        // The baseline also pools with libtorch's max_pool2d in gradient-free passes, as every pass did before.
        (RobustnessReport Report, double Seconds) Time(string what, RobustnessOptions o, bool baseline = false)
        {
            progress?.Report(what);
            using var kernel = baseline ? MaxPool2x2.UseMaxPool2d() : null;
            var sw = Stopwatch.StartNew();
            var r = RobustnessEvaluation.Run(model, test, o, cancel: cancel);
            return (r, sw.Elapsed.TotalSeconds);
        }

        var (autoBase, autoBaseSeconds) = Time($"{auto.Name} at eps {eps}, baseline path", Baseline(autoOptions), baseline: true);
        var (autoOne, autoOneSeconds) = Time($"{auto.Name} at eps {eps}, early stop, 1 worker", OneWorker(autoOptions));
        var (autoFast, autoFastSeconds) = Time($"{auto.Name} at eps {eps}, early stop + {workers} workers", Fast(autoOptions));
        var (curveBase, curveBaseSeconds) = Time("PGD-20 curve, baseline path", Baseline(curveOptions), baseline: true);
        var (curveOne, curveOneSeconds) = Time("PGD-20 curve, early stop + nested eps, 1 worker", OneWorker(curveOptions));
        var (curveFast, curveFastSeconds) = Time($"PGD-20 curve, early stop + nested eps + {workers} workers", Fast(curveOptions));

        double Robust(RobustnessReport r) => r.Attacks.Single(a => a.Eps == eps).RobustAccuracy;
        result["autoattack_seconds"] = autoFastSeconds;
        result["autoattack_seconds_baseline"] = autoBaseSeconds;
        result["autoattack_speedup"] = autoBaseSeconds / autoFastSeconds;
        result["autoattack_seconds_one_worker"] = autoOneSeconds;
        result["autoattack_early_stop_speedup"] = autoBaseSeconds / autoOneSeconds;
        result["autoattack_workers_speedup"] = autoOneSeconds / autoFastSeconds;
        result["robust_accuracy_one_worker"] = Robust(autoOne);
        result["robust_accuracy"] = Robust(autoFast);
        result["robust_accuracy_baseline"] = Robust(autoBase);
        result["autoattack_gradient_evals_per_sample"] = autoFast.Attacks.Sum(a => a.GradientEvals ?? 0);
        result["autoattack_gradient_evals_per_sample_baseline"] = autoBase.Attacks.Sum(a => a.GradientEvals ?? 0);
        result["curve_seconds"] = curveFastSeconds;
        result["curve_seconds_baseline"] = curveBaseSeconds;
        result["curve_speedup"] = curveBaseSeconds / curveFastSeconds;
        result["curve_seconds_one_worker"] = curveOneSeconds;
        result["curve_early_stop_speedup"] = curveBaseSeconds / curveOneSeconds;
        result["curve_workers_speedup"] = curveOneSeconds / curveFastSeconds;
        result["curve_gradient_evals_per_sample"] = curveFast.Attacks.Sum(a => a.GradientEvals ?? 0);
        result["curve_gradient_evals_per_sample_baseline"] = curveBase.Attacks.Sum(a => a.GradientEvals ?? 0);
        result["curve_max_abs_robust_accuracy_difference"] = curveFast.Attacks.Zip(curveBase.Attacks).Max(p => Math.Abs(p.First.RobustAccuracy - p.Second.RobustAccuracy));
        // Workers must not change a single number: the one-worker and the N-worker runs agree exactly.
        result["workers_max_abs_robust_accuracy_difference"] = autoFast.Attacks.Zip(autoOne.Attacks).Concat(curveFast.Attacks.Zip(curveOne.Attacks))
            .Max(p => Math.Abs(p.First.RobustAccuracy - p.Second.RobustAccuracy));
        foreach (var a in curveFast.Attacks) result[$"curve_robust_accuracy_eps_{a.Eps:0.###}"] = a.RobustAccuracy;
        foreach (var a in curveBase.Attacks) result[$"curve_robust_accuracy_baseline_eps_{a.Eps:0.###}"] = a.RobustAccuracy;
        result["clean_accuracy"] = autoFast.CleanAccuracy;
        result["samples"] = autoFast.Samples;
        result["eps"] = eps;
        result["workers"] = workers;
        return result;
    }
}
