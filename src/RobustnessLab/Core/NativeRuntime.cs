using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;

namespace RobustnessLab.Core;

/// <summary>Loads libtorch once and says what happened, so `lab info` and the tests can report it.</summary>
public static class NativeRuntime
{
    private static readonly Lazy<string?> LoadError = new(TryLoad);

    /// <summary>Throws a <see cref="LabException"/> with the underlying cause when libtorch cannot be loaded.</summary>
    public static void EnsureLoaded()
    {
        if (LoadError.Value is { } err) throw new LabException("libtorch could not be loaded: " + err);
    }

    public static bool IsLoaded => LoadError.Value is null;

    public static string? Error => LoadError.Value;

    private static string? TryLoad()
    {
        // Before libtorch's first allocation, and here rather than in LabContext so that every path into libtorch
        // (lab info, models built without a context, tests) gets the same allocator settings.
        NativeAllocator.EnsureTuned();
        UseNuGetCacheWhenNotAppLocal();
        if (LibTorchLocation.Value is { Error: { } missing }) return missing;
        try
        {
            using var t = torch.zeros(1);
            NnpackDisabled = TryDisableNnpack();
            return null;
        }
        catch (Exception e)
        {
            var inner = e;
            while (inner.InnerException is not null) inner = inner.InnerException;
            return inner.Message;
        }
    }

    /// <summary>Whether the system libstdc++ lacks GLIBCXX_3.4.32 (the case the build-time compat step handles).</summary>
    public static bool SystemNeedsCompatStep()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
        const string path = "/lib/x86_64-linux-gnu/libstdc++.so.6";
        if (!File.Exists(path)) return false;
        var bytes = File.ReadAllBytes(path);
        return bytes.AsSpan().IndexOf("GLIBCXX_3.4.32\0"u8) < 0;
    }

    /// <summary>Whether the loaded libLibTorchSharp.so copy carries the weak-version mark from the build step.</summary>
    public static bool? CompatStepApplied()
    {
        var dir = AppContext.BaseDirectory;
        foreach (var candidate in new[] { Path.Combine(dir, "runtimes", "linux-x64", "native", "libLibTorchSharp.so"), Path.Combine(dir, "libLibTorchSharp.so") })
        {
            if (!File.Exists(candidate)) continue;
            return ElfVersionNeeds.IsWeak(candidate, "GLIBCXX_3.4.32");
        }
        return null;
    }

    /// <summary>Whether libtorch's NNPACK convolution path was switched off (see <see cref="TryDisableNnpack"/>).</summary>
    public static bool NnpackDisabled { get; private set; }

    /// <summary>
    /// libtorch 2.10 asks NNPACK on every gradient-free convolution of a batch of 16 or more; where NNPACK cannot
    /// initialise (it does not recognise this machine's AVX-512 CPU) each call logs "Could not initialize NNPACK!
    /// Reason: Unsupported hardware." to stderr: thousands of lines per evaluation. There those convolutions run on
    /// libtorch's other kernels anyway, so switching NNPACK off (PyTorch's torch.backends.nnpack.set_flags(False),
    /// which TorchSharp does not expose) changes nothing but the log; where NNPACK works it also keeps the kernel
    /// choice the same as on machines where it does not. Best effort: any failure leaves libtorch as it was.
    /// </summary>
    private static bool TryDisableNnpack()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Environment.GetEnvironmentVariable("RL_KEEP_NNPACK") == "1") return false;
        try
        {
            if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var lib)) return false;
            if (!NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var globalContext)
                || !NativeLibrary.TryGetExport(lib, "_ZN2at7Context20setUserEnabledNNPACKEb", out var setEnabled)
                || !NativeLibrary.TryGetExport(lib, "_ZNK2at7Context17userEnabledNNPACKEv", out var getEnabled)) return false;
            unsafe
            {
                // at::Context& at::globalContext(); void at::Context::setUserEnabledNNPACK(bool) (this in the first register).
                var context = ((delegate* unmanaged<nint>)globalContext)();
                ((delegate* unmanaged<nint, byte, void>)setEnabled)(context, 0);
                return ((delegate* unmanaged<nint, byte>)getEnabled)(context) == 0;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    /// <summary>The libtorch-cpu-linux-x64 package TorchSharp 0.107 was built against (a test checks it against torch.__version__).</summary>
    public const string LibTorchPackageVersion = "2.10.0";

    /// <summary>Where libtorch's natives came from: next to the application, or the NuGet cache (the .NET tool's layout), or not found.</summary>
    public sealed record LibTorchSource(string? Directory, bool FromNuGetCache, string? Error);

    public static LibTorchSource NativeSource => LibTorchLocation.Value;

    private static readonly Lazy<LibTorchSource> LibTorchLocation = new(LocateAndPreload);
    private static int resolverRegistered;

    /// <summary>
    /// The RobustnessLab.Cli tool package leaves libtorch's natives out (about 600 MB); they live in the NuGet cache,
    /// where any project referencing TorchSharp-cpu restores them. Before TorchSharp first asks for its natives, this
    /// registers a resolver that, only when libtorch is not next to the application, loads libtorch_cpu.so (its
    /// $ORIGIN run path brings libc10 and libgomp) and libtorch.so from the cache; TorchSharp's own
    /// libLibTorchSharp.so, which is in the tool, then binds to them by their sonames. Cheap: nothing is loaded here.
    /// </summary>
    public static void UseNuGetCacheWhenNotAppLocal()
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux) || Interlocked.Exchange(ref resolverRegistered, 1) == 1) return;
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(torch).Assembly, ResolveTorchNative);
        }
        catch (InvalidOperationException)
        {
            // A resolver is already registered for TorchSharp by the host application: leave its choice alone.
        }
    }

    private static IntPtr ResolveTorchNative(string name, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (name is not ("LibTorchSharp" or "torch_cpu")) return IntPtr.Zero;
        var source = LibTorchLocation.Value;
        if (name == "torch_cpu" && source.FromNuGetCache && NativeLibrary.TryLoad(Path.Combine(source.Directory!, "libtorch_cpu.so"), out var handle))
            return handle;
        return IntPtr.Zero; // the runtime's normal probing
    }

    private static LibTorchSource LocateAndPreload()
    {
        var app = AppContext.BaseDirectory;
        foreach (var local in new[] { Path.Combine(app, "runtimes", "linux-x64", "native"), app })
            if (File.Exists(Path.Combine(local, "libtorch_cpu.so"))) return new LibTorchSource(local, false, null);
        // Not an application that copied libtorch (a normal build or publish does): only the tool layout gets here.
        var roots = new List<string>();
        if (Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } env) roots.Add(env);
        roots.Add(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"));
        foreach (var root in roots)
        {
            var dir = Path.Combine(root, "libtorch-cpu-linux-x64", LibTorchPackageVersion, "runtimes", "linux-x64", "native");
            if (!File.Exists(Path.Combine(dir, "libtorch_cpu.so"))) continue;
            try
            {
                NativeLibrary.Load(Path.Combine(dir, "libtorch_cpu.so"));
                NativeLibrary.Load(Path.Combine(dir, "libtorch.so"));
            }
            catch (DllNotFoundException e)
            {
                return new LibTorchSource(dir, true, $"libtorch in the NuGet cache ({dir}) did not load: {e.Message}");
            }
            return new LibTorchSource(dir, true, null);
        }
        var restore = Path.Combine(app, "libtorch-restore.proj");
        return new LibTorchSource(null, false,
            $"libtorch {LibTorchPackageVersion} is neither next to {Path.Combine(app, "lab.dll")} nor in the NuGet cache ({string.Join(" or ", roots.Select(r => Path.Combine(r, "libtorch-cpu-linux-x64", LibTorchPackageVersion)))}); "
            + (File.Exists(restore) ? $"fetch it once with: dotnet restore {restore}" : "reference the TorchSharp-cpu package (it brings libtorch-cpu-linux-x64)"));
    }

    /// <summary>Whether oneDNN (mkldnn) convolutions are switched off in this process (<see cref="DisableMkldnn"/>).</summary>
    public static bool MkldnnDisabled { get; private set; }

    /// <summary>Why oneDNN was switched off (null while it is on): shown by `lab info` and as a warning by the CLI.</summary>
    public static string? MkldnnDisabledReason { get; private set; }

    /// <summary>
    /// Switches libtorch's oneDNN (mkldnn) CPU path off for the rest of the process (PyTorch's
    /// torch.backends.mkldnn.enabled = False). Two defects of libtorch 2.10's oneDNN on AVX-512 CPUs need it: it divides
    /// by zero (SIGFPE, killing the process) while planning the input gradient of some strided 1x1 convolutions
    /// (brgemm_convolution_bwd_strided, brg_blocking_t::est_eff_1x1), as in torchvision's ResNet-50, and it returns
    /// wrong batched input gradients for convolutions with fewer than 16 output channels (see
    /// <see cref="Models.InputGradientCheck"/>, which calls this when its check fails). libtorch's other CPU kernels
    /// serve instead. RL_KEEP_MKLDNN=1 keeps oneDNN on. Returns whether oneDNN is off afterwards; best effort.
    /// </summary>
    public static bool DisableMkldnn(string reason)
    {
        if (MkldnnDisabled) return true;
        if (Environment.GetEnvironmentVariable("RL_KEEP_MKLDNN") == "1" || !SetMkldnnEnabled(false)) return false;
        MkldnnDisabledReason = reason;
        return true;
    }

    /// <summary>
    /// Sets libtorch's process-wide oneDNN switch (at::Context::setUserEnabledMkldnn) and returns whether the state
    /// asked for is in force. Tests use it to restore oneDNN after a test switched it off.
    /// </summary>
    public static bool SetMkldnnEnabled(bool enabled)
    {
        if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux)) return false;
        EnsureLoaded();
        try
        {
            if (!NativeLibrary.TryLoad("libtorch_cpu.so", typeof(torch).Assembly, null, out var lib)) return false;
            if (!NativeLibrary.TryGetExport(lib, "_ZN2at13globalContextEv", out var globalContext)
                || !NativeLibrary.TryGetExport(lib, "_ZN2at7Context20setUserEnabledMkldnnEb", out var setEnabled)
                || !NativeLibrary.TryGetExport(lib, "_ZNK2at7Context17userEnabledMkldnnEv", out var getEnabled)) return false;
            unsafe
            {
                var context = ((delegate* unmanaged<nint>)globalContext)();
                ((delegate* unmanaged<nint, byte, void>)setEnabled)(context, enabled ? (byte)1 : (byte)0);
                bool on = ((delegate* unmanaged<nint, byte>)getEnabled)(context) != 0;
                MkldnnDisabled = !on;
                if (on) MkldnnDisabledReason = null;
                return on == enabled;
            }
        }
        catch (Exception e) when (e is DllNotFoundException or BadImageFormatException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    public static string TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static string LibTorchVersion => torch.__version__;
}
