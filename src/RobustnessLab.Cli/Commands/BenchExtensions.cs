using RobustnessLab.Benchmarks;
using RobustnessLab.Core;

namespace RobustnessLab.Cli.Commands;

/// <summary>Workloads of the other areas (fooling, visualisation) that `lab bench` times after the core ones.</summary>
internal static class BenchExtensions
{
    public static void RunAll(BenchReport report, LabContext ctx, BenchCommand.Settings s, Func<string, bool> want, CancellationToken cancel)
    {
    }
}
