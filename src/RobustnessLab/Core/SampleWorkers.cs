using System.Runtime.ExceptionServices;
using TorchSharp;

namespace RobustnessLab.Core;

/// <summary>
/// Runs independent work items (batches of samples) on N worker threads in this process, each with its own libtorch
/// intra-op thread count. libtorch's intra-op pool is OpenMP here, and OpenMP's thread count is a per-thread setting:
/// a worker that sets 1 thread computes on one core while the other worker uses the other. On this project's small
/// convolutions two such workers beat one worker with two intra-op threads (measured by `lab bench --only workers`).
/// Each item must derive its own randomness from its index (never a shared stream), so the results do not depend on
/// which worker ran it; they are returned in item order.
/// </summary>
public static class SampleWorkers
{
    /// <summary>
    /// Results of <paramref name="body"/> for items 0..count-1. With one worker the items run in order on the calling
    /// thread, which keeps its thread setting; with more, each worker gets max(1, threads / workers) intra-op threads.
    /// </summary>
    /// <param name="count">Number of items.</param>
    /// <param name="workers">Worker threads (at most <paramref name="count"/> are started).</param>
    /// <param name="threads">Intra-op threads to share among the workers (the run's thread count).</param>
    /// <param name="body">Work for one item; runs inside its own thread's dispose scopes.</param>
    /// <param name="cancel">Stops handing out items.</param>
    public static T[] Run<T>(int count, int workers, int threads, Func<int, T> body, CancellationToken cancel = default)
    {
        if (workers <= 0) throw new LabException($"workers must be positive, got {workers}");
        var results = new T[count];
        if (workers == 1 || count <= 1)
        {
            for (int i = 0; i < count; i++)
            {
                cancel.ThrowIfCancellationRequested();
                results[i] = body(i);
            }
            return results;
        }
        int perWorker = Math.Max(1, threads / workers);
        int next = -1;
        ExceptionDispatchInfo? failure = null;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);
        var pool = Enumerable.Range(0, Math.Min(workers, count)).Select(w => new Thread(() =>
        {
            try
            {
                torch.set_num_threads(perWorker);
                for (int i = Interlocked.Increment(ref next); i < count && !stop.IsCancellationRequested; i = Interlocked.Increment(ref next))
                    results[i] = body(i);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref failure, ExceptionDispatchInfo.Capture(e), null);
                stop.Cancel();
            }
        }, 16 * 1024 * 1024)
        { IsBackground = true, Name = $"sample worker {w}" }).ToList();
        foreach (var t in pool) t.Start();
        foreach (var t in pool) t.Join();
        // set_num_threads also changes the default that threads started later begin with: put the caller's back.
        torch.set_num_threads(threads);
        failure?.Throw();
        cancel.ThrowIfCancellationRequested();
        return results;
    }

    /// <summary>
    /// Sets this thread's libtorch intra-op thread count to at most <paramref name="threads"/> until disposed, then
    /// puts the previous count back. Null when the count is already that low.
    /// </summary>
    public static IDisposable? IntraOpThreads(int threads)
    {
        int before = torch.get_num_threads();
        if (threads >= before) return null;
        torch.set_num_threads(threads);
        return new Restore(before);
    }

    private sealed class Restore(int threads) : IDisposable
    {
        public void Dispose() => torch.set_num_threads(threads);
    }
}
