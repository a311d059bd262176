using System.Runtime.InteropServices;

namespace RobustnessLab.Core;

/// <summary>
/// Keeps glibc's allocator from handing libtorch's large, short-lived buffers back to the kernel after every
/// operation. By default glibc serves blocks above its mmap threshold (128 KiB, adapting upward only after a
/// free) with a fresh mmap and returns them with munmap, and trims the heap top above 128 KiB; a training or
/// attack step allocates and frees tens of MB of activations and gradients, so every step pays page faults on
/// freshly zeroed pages. Measured here (`lab bench`, 2 threads, batch-256 cnn): train step 412 ms with the
/// defaults, 80 ms with the settings below, and more than half the CPU time was kernel time before. PyTorch on
/// Linux users usually meet the same effect through jemalloc/tcmalloc or MALLOC_* variables; mallopt does it
/// in-process (from NativeRuntime, before libtorch's first allocation) so that the CLI, the tests and any host of
/// the library get it without an environment step.
/// </summary>
public static class NativeAllocator
{
    // glibc's mallopt parameter numbers (malloc.h).
    private const int MTrimThreshold = -1;
    private const int MTopPad = -2;
    private const int MMmapThreshold = -3;

    /// <summary>Blocks up to this size come from the reusable heap (glibc's largest allowed value on 64-bit).</summary>
    public const int MmapThresholdBytes = 32 * 1024 * 1024;

    /// <summary>Free memory at the heap top kept before trimming: enough for a step's working set.</summary>
    public const int TrimThresholdBytes = 512 * 1024 * 1024;

    /// <summary>Extra bytes requested whenever the heap grows, so growth happens rarely.</summary>
    public const int TopPadBytes = 64 * 1024 * 1024;

    private static readonly Lazy<bool> Applied = new(TryApply);

    /// <summary>True when the settings are in force (Linux with glibc); idempotent and cheap after the first call.</summary>
    public static bool EnsureTuned() => Applied.Value;

    /// <summary>Set RL_DEFAULT_MALLOC=1 to keep glibc's defaults (for comparing, or under another allocator).</summary>
    public static bool DisabledByEnvironment => Environment.GetEnvironmentVariable("RL_DEFAULT_MALLOC") == "1";

    private static bool TryApply()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || DisabledByEnvironment) return false;
        try
        {
            // Each call returns 1 on success; a libc without mallopt (musl) throws EntryPointNotFoundException.
            return Mallopt(MMmapThreshold, MmapThresholdBytes) == 1
                & Mallopt(MTrimThreshold, TrimThresholdBytes) == 1
                & Mallopt(MTopPad, TopPadBytes) == 1;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    private static extern int Mallopt(int param, int value);
}
