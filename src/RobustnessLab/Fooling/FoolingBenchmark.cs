using System.Diagnostics;
using RobustnessLab.Models;

namespace RobustnessLab.Fooling;

/// <summary>
/// Timing hook for `lab bench`: the README's reference workload is a 200-generation, population-200, all-classes
/// direct-encoding MAP-Elites run (the paper's released code: about 5 minutes on 4 cores).
/// </summary>
public static class FoolingBenchmark
{
    /// <summary>Runs direct-encoding MAP-Elites over all classes and returns the wall-clock seconds and what it reached.</summary>
    public static FoolingBenchmarkResult DirectEncoding(Classifier model, int generations = 200, int population = 200, int seed = 0,
        CancellationToken cancel = default)
    {
        var options = new FoolingOptions { Method = FoolingMethod.Direct, Generations = generations, Population = population, Seed = seed };
        var classes = options.ResolveClasses(model.ClassNames);
        var sw = Stopwatch.StartNew();
        var result = FoolingRun.Search(model, options, classes, cancel: cancel);
        double seconds = sw.Elapsed.TotalSeconds;
        return new FoolingBenchmarkResult(generations, population, seconds, result.Evaluations / seconds,
            result.Champions.Count(c => c.Crossing(0.9999)?.Reached == true), result.Champions.Count);
    }
}
