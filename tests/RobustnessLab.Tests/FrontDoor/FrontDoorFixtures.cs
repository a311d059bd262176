using System.Globalization;
using System.Text.Json.Nodes;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Tests.Cli;
using RobustnessLab.Tests.Experiments;
using RobustnessLab.Tests.Fooling;

namespace RobustnessLab.Tests.FrontDoor;

/// <summary>
/// Runs one capability through both of its front doors (a `lab` command and the same settings as an experiment
/// stage through `lab run`) in this process, and reduces the result records to what must agree.
/// </summary>
internal static class FrontDoorFixtures
{
    /// <summary>An untrained mlp checkpoint (Fashion-MNIST's shape and classes; no data needed).</summary>
    public static string UntrainedCheckpoint(string dir, string architecture = "mlp")
    {
        using var model = FoolingTestModels.Untrained(architecture);
        Checkpoint.Save(dir, model, CheckpointInfo.FromSpec(model.Spec));
        return dir;
    }

    /// <summary>`lab ARGS --quiet --threads 1`, asserting exit 0.</summary>
    public static void Lab(params string[] args)
    {
        var (code, output, error) = InProcessCli.Run([.. args, "--quiet", "--threads", "1"]);
        Assert.That(code, Is.EqualTo(CliHost.Ok), $"lab {string.Join(' ', args)} failed:\n{error}\n{output}");
    }

    /// <summary>Writes the config and runs it with `lab run` (and <paramref name="runArgs"/>); returns the run folder and the stage's record from results.json.</summary>
    public static (string RunDir, JsonNode Record) Run(string root, string stage, string yaml, params string[] runArgs)
    {
        var config = ExperimentFixtures.Write(root, "config.yaml", yaml);
        var runDir = Path.Combine(root, "run");
        Lab(["run", config, "--out", runDir, .. runArgs]);
        var results = RunResults.Read(runDir);
        Assert.That(results.Status, Is.EqualTo("complete"));
        var record = results.Points[0].Stages[stage];
        Assert.That(record, Is.Not.Null, $"results.json has no '{stage}' record");
        return (runDir, record!);
    }

    public static JsonNode ReadJson(string path) => JsonNode.Parse(File.ReadAllText(path))!;

    /// <summary>
    /// The record without the keys that legitimately differ between two runs or two places (timings, provenance, file
    /// locations, how the model is named), as indented JSON text (a readable diff when the assertion fails).
    /// </summary>
    public static string Comparable(JsonNode node, params string[] ignore)
    {
        var copy = node.DeepClone();
        Strip(copy, ignore);
        return copy.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });
    }

    private static void Strip(JsonNode? node, string[] ignore)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var key in o.Select(p => p.Key).ToList())
                    if (IsTiming(key) || key == "provenance" || ignore.Contains(key)) o.Remove(key);
                    else Strip(o[key], ignore);
                break;
            case JsonArray a:
                foreach (var item in a) Strip(item, ignore);
                break;
        }
    }

    /// <summary>Wall-time keys: "seconds", "seconds_...", and "..._seconds" (a number or, as dumbbell.json's stage_seconds, an object of them).</summary>
    private static bool IsTiming(string key) =>
        key == "seconds" || key.StartsWith("seconds_", StringComparison.Ordinal) || key.EndsWith("_seconds", StringComparison.Ordinal);

    public static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);

    public static void Delete(string dir)
    {
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
    }
}
