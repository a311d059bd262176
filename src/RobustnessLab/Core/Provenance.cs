using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json.Serialization;

namespace RobustnessLab.Core;

/// <summary>Where a result came from: code version, native versions, machine, time.</summary>
public sealed record Provenance
{
    [JsonPropertyName("git_commit")] public string GitCommit { get; init; } = "unknown";
    [JsonPropertyName("torchsharp")] public string TorchSharp { get; init; } = "unknown";
    [JsonPropertyName("libtorch")] public string LibTorch { get; init; } = "unknown";
    [JsonPropertyName("dotnet")] public string DotNet { get; init; } = RuntimeInformation.FrameworkDescription;
    [JsonPropertyName("os")] public string Os { get; init; } = RuntimeInformation.OSDescription;
    [JsonPropertyName("machine")] public string Machine { get; init; } = Environment.MachineName;
    [JsonPropertyName("cores")] public int Cores { get; init; } = Environment.ProcessorCount;
    [JsonPropertyName("threads")] public int Threads { get; init; }
    [JsonPropertyName("date")] public DateTimeOffset Date { get; init; } = DateTimeOffset.UtcNow;

    public static Provenance Capture(int threads) => new()
    {
        GitCommit = GitCommitOfBuild(),
        TorchSharp = NativeRuntime.TorchSharpVersion,
        LibTorch = NativeRuntime.IsLoaded ? NativeRuntime.LibTorchVersion : "not loaded",
        Threads = threads,
    };

    /// <summary>The commit the library was built from (stamped at build time by Directory.Build.targets).</summary>
    public static string GitCommitOfBuild()
    {
        var info = typeof(Provenance).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        if (info is null) return "unknown";
        int plus = info.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && plus + 1 < info.Length ? info[(plus + 1)..] : "unknown";
    }
}
