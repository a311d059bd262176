using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Core;

/// <summary>
/// Everything a run needs that would otherwise be global state: the device, the seed and the thread count.
/// Passed explicitly so that runs are reproducible and tests can build their own.
/// </summary>
public sealed record LabContext(Device Device, int Seed, int Threads)
{
    /// <summary>Worker threads that share a run's batches (<see cref="SampleWorkers"/>); the threads are split among them.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Creates a context and applies the thread count to libtorch's intra-op pool.</summary>
    /// <param name="device">"cpu", "cuda", "cuda:1", ...</param>
    /// <param name="seed">Master seed; every generator in the run is derived from it.</param>
    /// <param name="threads">Intra-op threads; 0 means one per core; more than <see cref="ResourceLimits.MaxThreadsPerCore"/> per core are capped.</param>
    public static LabContext Create(string device = "cpu", int seed = 0, int threads = 0)
    {
        NativeRuntime.EnsureLoaded();
        var dev = ParseDevice(device);
        int t = threads > 0 ? ResourceLimits.Threads(threads, "threads", null) : Environment.ProcessorCount;
        torch.set_num_threads(t);
        return new LabContext(dev, seed, t);
    }

    /// <summary>A CPU context for tests and tools: seed 0, all cores.</summary>
    public static LabContext Cpu(int seed = 0) => Create("cpu", seed);

    /// <summary>A fresh torch generator, seeded from the master seed and a stream id, on the CPU.</summary>
    public Generator NewGenerator(long stream = 0)
    {
        var g = new Generator(DeriveSeed(Seed, stream), CPU);
        return g;
    }

    /// <summary>A managed random source from the master seed and a stream id.</summary>
    public Random NewRandom(long stream = 0) => new((int)(DeriveSeed(Seed, stream) & 0x7fffffff));

    /// <summary>SplitMix64 of (seed, stream): independent, reproducible streams without global state.</summary>
    public static ulong DeriveSeed(long seed, long stream)
    {
        ulong z = (ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (z ^ (z >> 31)) & 0x7fffffffffffffffUL;
    }

    public static Device ParseDevice(string device)
    {
        if (string.IsNullOrWhiteSpace(device)) throw new LabException("device must not be empty (use cpu or cuda[:N])");
        var d = device.Trim().ToLowerInvariant();
        if (d == "cpu") return CPU;
        if (d.StartsWith("cuda", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new LabException($"device '{device}' requested but CUDA is not available in this TorchSharp build (TorchSharp-cpu is installed); use --device cpu");
            return new Device(d);
        }
        throw new LabException($"unknown device '{device}': use cpu, cuda or cuda:N");
    }
}
