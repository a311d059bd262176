using System.Globalization;

namespace RobustnessLab.Core;

/// <summary>
/// Limits that keep hostile or mistaken input from exhausting the machine: each is checked before the work starts,
/// and the refusal names the limit and how to raise it. Every limit can be raised with an environment variable
/// (read when first used), so a researcher with a bigger machine is never stuck.
/// </summary>
public static class ResourceLimits
{
    /// <summary>Largest config file, in bytes (RL_MAX_CONFIG_BYTES).</summary>
    public static long MaxConfigBytes => Get("RL_MAX_CONFIG_BYTES", 1_000_000);

    /// <summary>Deepest nesting of mappings and lists in a config (RL_MAX_CONFIG_DEPTH).</summary>
    public static int MaxConfigDepth => (int)Get("RL_MAX_CONFIG_DEPTH", 64);

    /// <summary>Most values (scalars, lists, mappings) a config may hold once its aliases are expanded (RL_MAX_CONFIG_NODES).</summary>
    public static long MaxConfigNodes => Get("RL_MAX_CONFIG_NODES", 100_000);

    /// <summary>Most entries of <c>models:</c> and of any list-valued stage section (RL_MAX_CONFIG_ENTRIES).</summary>
    public static int MaxConfigEntries => (int)Get("RL_MAX_CONFIG_ENTRIES", 1_000);

    /// <summary>Largest IDX payload a header may announce, in bytes (RL_MAX_IDX_BYTES); Fashion-MNIST's biggest is 47 MB.</summary>
    public static long MaxIdxBytes => Get("RL_MAX_IDX_BYTES", 1L << 30);

    /// <summary>Most libtorch threads per core before the count is capped (RL_MAX_THREADS_PER_CORE).</summary>
    public static int MaxThreadsPerCore => (int)Get("RL_MAX_THREADS_PER_CORE", 1);

    /// <summary>Percentage of the memory available now that one estimated allocation may take (RL_MEMORY_PERCENT).</summary>
    public static int MemoryPercent => (int)Get("RL_MEMORY_PERCENT", 80);

    /// <summary>
    /// Refuses work whose estimated memory exceeds what this machine has available, before allocating any of it:
    /// an allocation libtorch cannot satisfy ends in a kernel kill or a native crash, never in an error line.
    /// </summary>
    /// <param name="bytes">The estimate.</param>
    /// <param name="what">What needs it, e.g. "--seeds 10000000 at 28x28".</param>
    /// <param name="reduce">What to lower, e.g. "lower --seeds or --size".</param>
    public static void RequireMemory(double bytes, string what, string reduce)
    {
        var available = AvailableBytes();
        double allowed = available * MemoryPercent / 100.0;
        if (bytes > allowed)
            throw new LabUsageException($"{what} needs about {Gb(bytes)} of memory; {MemoryPercent}% of the {Gb(available)} available here is {Gb(allowed)}: {reduce} (or raise RL_MEMORY_PERCENT)");
    }

    /// <summary>MemAvailable from /proc/meminfo, else the GC's view of the machine.</summary>
    public static long AvailableBytes()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/meminfo"))
                if (line.StartsWith("MemAvailable:", StringComparison.Ordinal))
                {
                    var kb = line["MemAvailable:".Length..].Trim().Split(' ')[0];
                    if (long.TryParse(kb, NumberStyles.Integer, CultureInfo.InvariantCulture, out var k)) return k * 1024;
                }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;
    }

    /// <summary>The thread count to use for a request: negative is refused, above the cap is capped with a warning.</summary>
    public static int Threads(int requested, string option, Action<string>? warn)
    {
        if (requested < 0) throw new LabUsageException($"{option} must be >= 0 (0: one per core), got {requested}");
        int cap = Environment.ProcessorCount * Math.Max(1, MaxThreadsPerCore);
        if (requested <= cap) return requested;
        warn?.Invoke($"{option} {requested} is more than the {Environment.ProcessorCount} cores here; using {cap} (more threads than cores only slow libtorch down; RL_MAX_THREADS_PER_CORE raises the cap)");
        return cap;
    }

    public static string Gb(double bytes) => bytes >= 1e9
        ? (bytes / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + " GB"
        : (bytes / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + " MB";

    private static long Get(string variable, long fallback)
    {
        var text = Environment.GetEnvironmentVariable(variable);
        return text is not null && long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : fallback;
    }
}
