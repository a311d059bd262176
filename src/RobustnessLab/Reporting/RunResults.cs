using System.Text.Json.Nodes;
using RobustnessLab.Core;

namespace RobustnessLab.Reporting;

/// <summary>
/// results.json: the resolved config, provenance and each sweep point's stage results. Written atomically after every
/// stage, so a killed run leaves a complete file describing the stages that finished.
/// </summary>
public sealed record RunResults
{
    public const string CurrentFormat = "robustnesslab.results/1";
    public const string FileName = "results.json";

    public string Format { get; init; } = CurrentFormat;
    public string Name { get; init; } = "";

    /// <summary>"running", "complete" or "failed".</summary>
    public string Status { get; init; } = "running";
    public string? Error { get; init; }
    public string ConfigHash { get; init; } = "";
    public JsonObject Config { get; init; } = new();
    public int TotalPoints { get; init; } = 1;
    public ShardInfo? Shard { get; init; }
    public List<PointResult> Points { get; init; } = [];
    public RunProvenance Provenance { get; init; } = new();

    public static string PathIn(string runDirectory) => System.IO.Path.Combine(runDirectory, FileName);

    public static RunResults Read(string runDirectoryOrFile)
    {
        var file = Directory.Exists(runDirectoryOrFile) ? PathIn(runDirectoryOrFile) : runDirectoryOrFile;
        if (!File.Exists(file)) throw new LabException($"{file}: no results file (run `lab run CONFIG` first)");
        var r = Json.ReadFile<RunResults>(file);
        if (r.Format != CurrentFormat) throw new LabException($"{file}: unknown results format '{r.Format}'");
        return r;
    }

    public void Write(string runDirectory) => Json.WriteFile(PathIn(runDirectory), this);
}
