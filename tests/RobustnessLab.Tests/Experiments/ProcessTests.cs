using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

/// <summary>`lab` as separate processes: a real kill mid-training, and shards merged against a single run.</summary>
[Category("Slow")]
public class ProcessTests
{
    [Test]
    public void AKilledRunLeavesValidResultsAndResumesTrainingWhereItStopped()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("kill");
        var config = ExperimentFixtures.TinyConfig("killed", epochs: 3, trainLimit: 4000, architecture: "cnn", args: "{width: 16, hidden: 32}");
        ExperimentFixtures.Write(dir, "config.yaml", config);
        var experiment = ExperimentLoader.Load(Path.Combine(dir, "config.yaml"));
        var key = ModelCache.Key(experiment.Points[0].Config.Models["small"], experiment.Points[0].Config.Dataset!);
        var entry = Path.Combine(dir, "cache", key);
        var results = Path.Combine(dir, "run", RunResults.FileName);

        using (var p = Process.Start(ExperimentFixtures.LabStart(dir, "run", "config.yaml", "--out", "run", "--cache", "cache", "--quiet"))!)
        {
            var sw = Stopwatch.StartNew();
            int parsed = 0;
            while (!File.Exists(Path.Combine(entry, "model.json")) && !p.HasExited && sw.Elapsed < TimeSpan.FromMinutes(4))
            {
                if (File.Exists(results))
                {
                    // Every read of results.json while the run writes it must be a whole document.
                    Assert.DoesNotThrow(() => Json.ReadFile<RunResults>(results));
                    parsed++;
                }
                Thread.Sleep(20);
            }
            Assume.That(p.HasExited, Is.False, "the run finished before the first checkpoint could be seen; nothing to kill");
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
            Assert.That(parsed, Is.GreaterThan(0), "results.json exists from the start of the run");
        }
        Assert.That(File.Exists(Path.Combine(entry, ModelCache.EntryFile)), Is.False, "training was interrupted, so the cache entry is not complete");
        var killed = RunResults.Read(Path.Combine(dir, "run"));
        Assert.That(killed.Status, Is.EqualTo("running"), "a killed run never reached its last write");
        Assert.That(File.ReadAllText(Path.Combine(dir, "run", Gallery.PageFile)), Does.Contain("still in progress"));

        var resumed = ExperimentFixtures.RunLab(dir, "run", "config.yaml", "--out", "run", "--cache", "cache", "--quiet");
        Assert.That(resumed.Code, Is.EqualTo(0), resumed.Err);
        var after = RunResults.Read(Path.Combine(dir, "run"));
        Assert.That(after.Points[0].Runtime["models"].Details!["small"]!["status"]!.GetValue<string>(), Is.EqualTo("resumed"));

        var fresh = ExperimentFixtures.RunLab(dir, "run", "config.yaml", "--out", "fresh", "--cache", "cache-fresh", "--quiet");
        Assert.That(fresh.Code, Is.EqualTo(0), fresh.Err);
        var uninterrupted = RunResults.Read(Path.Combine(dir, "fresh"));
        Assert.That(after.Points[0].Stages["models"]!.ToJsonString(), Is.EqualTo(uninterrupted.Points[0].Stages["models"]!.ToJsonString()),
            "training resumed from its checkpoint ends exactly where an uninterrupted run does");
        Assert.That(after.Points[0].Stages["eval"]!.ToJsonString(), Is.EqualTo(uninterrupted.Points[0].Stages["eval"]!.ToJsonString()));
    }

    [Test]
    public void ShardsRunAsSeparateProcessesMergeToTheSameResultsAsOneRun()
    {
        ExperimentFixtures.RequireData();
        var dir = ExperimentFixtures.TempDir("shards");
        ExperimentFixtures.Write(dir, "sweep.yaml", ExperimentFixtures.TinyConfig("sweep") + "sweep:\n  seed: [1, 2, 3]\n");

        var single = ExperimentFixtures.RunLab(dir, "run", "sweep.yaml", "--out", "single", "--cache", "cache-single", "--quiet");
        Assert.That(single.Code, Is.EqualTo(0), single.Err);

        var shards = Enumerable.Range(0, 2).Select(i => Process.Start(ExperimentFixtures.LabStart(dir, "run", "sweep.yaml", "--out", $"shards/{i}", "--shard", $"{i}/2", "--cache", "cache-shards", "--quiet"))!).ToList();
        foreach (var p in shards)
        {
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            Assert.That(p.WaitForExit(TimeSpan.FromMinutes(5)), Is.True);
            Assert.That(p.ExitCode, Is.EqualTo(0), err.Result);
            p.Dispose();
        }
        var partial = ExperimentFixtures.RunLab(dir, "merge", "shards/0", "--out", "merged");
        Assert.That(partial.Code, Is.EqualTo(1));
        Assert.That(partial.Err, Does.Contain("missing shard 1/2"));
        Assert.That(Directory.Exists(Path.Combine(dir, "merged")), Is.False, "a refused merge writes nothing");

        var merge = ExperimentFixtures.RunLab(dir, "merge", "shards/0", "shards/1", "--out", "merged");
        Assert.That(merge.Code, Is.EqualTo(0), merge.Err);

        var a = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "single", RunResults.FileName)))!.AsObject();
        var b = JsonNode.Parse(File.ReadAllText(Path.Combine(dir, "merged", RunResults.FileName)))!.AsObject();
        Assert.That(b["points"]!.AsArray(), Has.Count.EqualTo(3));
        Assert.That(WithoutProvenance(b), Is.EqualTo(WithoutProvenance(a)), "results.json equal but for provenance and timings");
        Assert.That(GalleryWithoutProvenance(Path.Combine(dir, "merged")), Is.EqualTo(GalleryWithoutProvenance(Path.Combine(dir, "single"))),
            "the merged gallery equals the single run's but for the provenance section");
        var seeds = b["points"]!.AsArray().Select(p => p!["stages"]!["models"]!["small"]!["spec_hash"]!.GetValue<string>()).Distinct().Count();
        Assert.That(seeds, Is.EqualTo(3), "each point trained its own model");
    }

    [Test]
    public void JobFilesRunEveryShardAndEndWithTheMerge()
    {
        var dir = ExperimentFixtures.TempDir("jobs");
        var path = ExperimentFixtures.Write(dir, "sweep.yaml", ExperimentFixtures.TinyConfig("sweep-jobs") + "sweep:\n  seed: [1, 2, 3]\n");
        var e = ExperimentLoader.Load(path);
        var o = new JobScripts.Options("experiments/sweep.yaml", "results/sweep-jobs", 3, ["models.small.epochs=2"], 1);
        var slurm = JobScripts.Slurm(e, o);
        var k8s = JobScripts.Kubernetes(e, o);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(slurm, Does.Contain("#SBATCH --array=0-2").And.Contain("--shard ${SLURM_ARRAY_TASK_ID}/3").And.Contain("--dependency=afterok:${array_job}")
                .And.Contain("--set models.small.epochs=2"));
            Assert.That(slurm.TrimEnd(), Does.EndWith("MERGE"));
            Assert.That(slurm, Does.Contain("./lab merge results/sweep-jobs/shards/0 results/sweep-jobs/shards/1 results/sweep-jobs/shards/2 --out results/sweep-jobs"));
            Assert.That(k8s, Does.Contain("completionMode: Indexed").And.Contain("completions: 3").And.Contain("--shard ${JOB_COMPLETION_INDEX}/3")
                .And.Contain("lab merge"));
            Assert.That(k8s.IndexOf("lab merge", StringComparison.Ordinal), Is.GreaterThan(k8s.IndexOf("JOB_COMPLETION_INDEX", StringComparison.Ordinal)), "the merge comes last");
        }
        // Both parse: the Kubernetes file as two YAML documents, the Slurm script under bash -n.
        var docs = new YamlDotNet.RepresentationModel.YamlStream();
        docs.Load(new StringReader(k8s));
        Assert.That(docs.Documents, Has.Count.EqualTo(2));
        var script = ExperimentFixtures.Write(dir, "job.sh", slurm);
        using var bash = Process.Start(new ProcessStartInfo("bash", ["-n", script]) { RedirectStandardError = true })!;
        var err = bash.StandardError.ReadToEnd();
        bash.WaitForExit();
        Assert.That(bash.ExitCode, Is.EqualTo(0), err);
        Assert.Throws<LabException>(() => JobScripts.Slurm(e, o with { Shards = 4 }), "more shards than points");
    }

    internal static string WithoutProvenance(JsonObject results)
    {
        var copy = results.DeepClone().AsObject();
        copy.Remove("provenance");
        foreach (var p in copy["points"]!.AsArray()) p!.AsObject().Remove("runtime");
        return copy.ToJsonString();
    }

    private static string GalleryWithoutProvenance(string runDir)
    {
        var html = File.ReadAllText(Path.Combine(runDir, Gallery.PageFile));
        return Regex.Replace(html, Regex.Escape(Gallery.ProvenanceStart) + ".*?" + Regex.Escape(Gallery.ProvenanceEnd), "", RegexOptions.Singleline);
    }
}
