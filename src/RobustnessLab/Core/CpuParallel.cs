using System.Runtime.ExceptionServices;
using static TorchSharp.torch;

namespace RobustnessLab.Core;

/// <summary>
/// CPU work outside libtorch (rendering scenes, say) spread over as many threads as libtorch may use
/// (<c>torch.get_num_threads()</c>, which <c>--threads</c> sets), so a run limited to one core stays on one. Results come
/// back in index order and each index's work must depend on its index alone, so they never depend on the thread count.
/// </summary>
public static class CpuParallel
{
    /// <summary>body(0), ..., body(count - 1), computed in parallel, in index order. The first exception is rethrown as itself.</summary>
    public static T[] Map<T>(int count, Func<int, T> body)
    {
        var results = new T[count];
        int threads = Math.Max(1, get_num_threads());
        if (threads == 1 || count < 2)
        {
            for (int i = 0; i < count; i++) results[i] = body(i);
            return results;
        }
        try
        {
            Parallel.For(0, count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i => results[i] = body(i));
        }
        catch (AggregateException e) when (e.InnerExceptions.Count > 0)
        {
            ExceptionDispatchInfo.Capture(e.InnerExceptions[0]).Throw();
        }
        return results;
    }
}
