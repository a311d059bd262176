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
        try
        {
            using var t = torch.zeros(1);
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

    public static string TorchSharpVersion => typeof(torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    public static string LibTorchVersion => torch.__version__;
}
