using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

/// <summary>
/// `lab sweep slurm` on a real scheduler: a one-node Slurm from Debian's packages runs the generated array job and
/// its merge; the merged results equal a single-machine run but for provenance and timings. A scancelled array task
/// leaves its shard "interrupted", and submitting the same job file again finishes the sweep.
/// </summary>
[Category("Slow")]
[NonParallelizable]
[Platform("Linux")]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SlurmSweepTests
{
    private const string Attacks = """
        attacks:
          - attack: fgsm
            eps: [0.1]
          - attack: pgd
            eps: 0.1
            steps: 3
        sweep:
          seed: [1, 2]
          "attacks[0].eps": [[0.05], [0.1]]
        """;

    private SlurmCluster cluster = null!;
    private string root = null!;

    [OneTimeSetUp]
    public void StartSlurm()
    {
        SlurmCluster.RequireInstalled();
        ExperimentFixtures.RequireData();
        root = ExperimentFixtures.TempDir("slurm");
        cluster = SlurmCluster.Start(Path.Combine(root, "cluster"));
    }

    [OneTimeTearDown]
    public void StopSlurm() => cluster?.Dispose();

    [TearDown]
    public void CancelLeftoverJobs() => cluster?.CancelAll();

    [Test]
    public void TheGeneratedArrayJobAndMergeEqualASingleMachineRun()
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "sweep")).FullName;
        ExperimentFixtures.Write(dir, "sweep.yaml", ExperimentFixtures.TinyConfig("slurm-sweep", extra: Attacks));
        var single = ExperimentFixtures.RunLab(dir, "run", "sweep.yaml", "--out", "single", "--cache", "cache-single", "--quiet");
        Assert.That(single.Code, Is.EqualTo(0), single.Err);

        var sw = Stopwatch.StartNew();
        var (arrayJob, mergeJob) = Submit(dir, "sweep.yaml", "slurm");
        cluster.WaitForJobs(TimeSpan.FromMinutes(10), arrayJob, mergeJob);
        TestContext.Out.WriteLine($"array job {arrayJob} (4 tasks) and merge job {mergeJob}: {sw.Elapsed.TotalSeconds:F0} s from submission to merged results");

        Assert.That(File.Exists(Path.Combine(dir, "slurm", RunResults.FileName)), Is.True, "the merge job wrote results.json; merge log:\n" + Log(dir, "slurm", "merge.log"));
        var merged = RunResults.Read(Path.Combine(dir, "slurm"));
        Assert.That(merged.Status, Is.EqualTo("complete"));
        Assert.That(merged.Points, Has.Count.EqualTo(4));
        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "single", RunResults.FileName)))!.AsObject();
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "slurm", RunResults.FileName)))!.AsObject();
        Assert.That(WithoutTimings(b), Is.EqualTo(WithoutTimings(a)),
            $"results.json of Slurm array job {arrayJob} equal a single-machine run's but for provenance and timings");
    }

    [Test]
    public void AScancelledArrayTaskIsInterruptedAndResubmittingFinishesTheSweep()
    {
        var dir = Directory.CreateDirectory(Path.Combine(root, "cancel")).FullName;
        // Training long enough (a small cnn, 3 epochs on 4000 rows) that task 0 is caught while it runs.
        ExperimentFixtures.Write(dir, "sweep.yaml", ExperimentFixtures.TinyConfig("slurm-cancel", epochs: 3, trainLimit: 4000, architecture: "cnn",
            args: "{width: 16, hidden: 32}", extra: Attacks));
        var (arrayJob, mergeJob) = Submit(dir, "sweep.yaml", "slurm");
        var shard0 = Path.Combine(dir, "slurm", "shards", "0", RunResults.FileName);
        cluster.WaitFor(() => File.Exists(shard0) && RunResults.Read(Path.GetDirectoryName(shard0)!).Status == "running"
            && cluster.Queue().Any(q => q.Id == arrayJob + "_0" && q.State == "RUNNING"), TimeSpan.FromMinutes(5), "array task 0 did not start running", "slurmctld.log");
        Thread.Sleep(1000); // into training
        var cancel = cluster.Command("scancel", arrayJob + "_0");
        Assert.That(cancel.Code, Is.EqualTo(0), cancel.Err);

        // The other tasks finish; the merge (afterok on the whole array) can then never start: cancel it.
        cluster.WaitFor(() => cluster.Queue().All(q => !q.Id.StartsWith(arrayJob + "_", StringComparison.Ordinal) && q.Id != arrayJob),
            TimeSpan.FromMinutes(10), "array tasks still queued", "slurmctld.log");
        Assert.That(RunResults.Read(Path.GetDirectoryName(shard0)!).Status, Is.EqualTo("interrupted"),
            "the scancelled task's run is marked interrupted (SIGTERM); its log:\n" + Log(dir, "slurm", "shard-0.log"));
        Assert.That(File.Exists(Path.Combine(dir, "slurm", RunResults.FileName)), Is.False, "no merge of an unfinished sweep");
        cluster.Command("scancel", mergeJob);
        cluster.WaitForJobs(TimeSpan.FromMinutes(2), mergeJob);

        // Submitting the same job file again: finished shards are reused, task 0 completes, the merge runs.
        var sw = Stopwatch.StartNew();
        var resubmitted = Submit(dir, "sweep.yaml", "slurm", generate: false);
        cluster.WaitForJobs(TimeSpan.FromMinutes(10), resubmitted.ArrayJob, resubmitted.MergeJob);
        TestContext.Out.WriteLine($"resubmission {resubmitted.ArrayJob}: {sw.Elapsed.TotalSeconds:F0} s");
        Assert.That(RunResults.Read(Path.GetDirectoryName(shard0)!).Status, Is.EqualTo("complete"), Log(dir, "slurm", "shard-0.log"));
        Assert.That(File.Exists(Path.Combine(dir, "slurm", RunResults.FileName)), Is.True, "merge log:\n" + Log(dir, "slurm", "merge.log"));
        var merged = RunResults.Read(Path.Combine(dir, "slurm"));
        Assert.That(merged.Status, Is.EqualTo("complete"));
        Assert.That(merged.Points, Has.Count.EqualTo(4));
    }

    /// <summary>Writes the job file with `lab sweep slurm` (once) and submits it as its header says: `bash FILE`.</summary>
    private (string ArrayJob, string MergeJob) Submit(string dir, string config, string outDir, bool generate = true)
    {
        if (generate)
        {
            var gen = ExperimentFixtures.RunLab(dir, "sweep", "slurm", config, "--out", outDir, "--lab", $"dotnet {ExperimentFixtures.LabDll}", "--write", "job.sh");
            Assert.That(gen.Code, Is.EqualTo(0), gen.Err);
        }
        var submit = cluster.CommandIn(dir, "bash", "job.sh");
        Assert.That(submit.Code, Is.EqualTo(0), submit.Err + submit.Out);
        var array = Regex.Match(submit.Out, @"submitted shards: job (\d+)");
        var merge = Regex.Match(submit.Out, @"Submitted batch job (\d+)");
        Assert.That(array.Success && merge.Success, Is.True, "sbatch printed both job ids: " + submit.Out);
        return (array.Groups[1].Value, merge.Groups[1].Value);
    }

    /// <summary>results.json without provenance, per-point runtime, "seconds" fields and the gallery tables' "seconds" column.</summary>
    private static string WithoutTimings(JsonObject results)
    {
        var copy = JsonNode.Parse(ProcessTests.WithoutProvenance(results))!;
        Strip(copy);
        return copy.ToJsonString();

        static void Strip(JsonNode? node)
        {
            if (node is JsonObject o)
            {
                o.Remove("seconds");
                if (o["columns"] is JsonArray columns && o["rows"] is JsonArray rows)
                {
                    var index = columns.Select((c, i) => (c, i)).Where(x => x.c?.GetValue<string>() == "seconds").Select(x => x.i).ToList();
                    foreach (var i in index.OrderDescending())
                    {
                        columns.RemoveAt(i);
                        foreach (var row in rows.OfType<JsonArray>()) row.RemoveAt(i);
                    }
                }
                foreach (var (_, v) in o.ToList()) Strip(v);
            }
            else if (node is JsonArray a)
            {
                foreach (var v in a) Strip(v);
            }
        }
    }

    private static string Log(string dir, string outDir, string file)
    {
        var path = Path.Combine(dir, outDir, "logs", file);
        return File.Exists(path) ? string.Join('\n', File.ReadAllLines(path).TakeLast(20)) : "(no " + path + ")";
    }
}
