using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Tests.Experiments;

namespace RobustnessLab.Tests.Reliability;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM (what Slurm, Kubernetes and `kill` send) to a `lab run` process in the middle of a
/// fooling stage, whose search returns the champions found so far when cancelled.
/// </summary>
[Category("Slow")]
public class InterruptionProcessTests
{
    [TestCase("INT")]
    [TestCase("TERM")]
    public void ASignalMidStageRecordsInterruptedExits130AndStoresNoTruncatedResult(string signal)
    {
        ExperimentFixtures.RequireData();
        if (signal == "INT")
        {
            // A shell without job control starts background jobs with SIGINT ignored, and children inherit that (as
            // .NET does: it leaves an ignored SIGINT ignored); then no Ctrl-C can reach the run, in this test or a terminal.
            var ignored = File.ReadLines("/proc/self/status").First(l => l.StartsWith("SigIgn:", StringComparison.Ordinal))[7..].Trim();
            Assume.That(Convert.ToUInt64(ignored, 16) & 0x2, Is.Zero, "SIGINT is ignored in the test process, so its children cannot receive it");
        }
        NativeRuntime.EnsureLoaded();
        var dir = ExperimentFixtures.TempDir("sig" + signal.ToLowerInvariant());
        var checkpoint = Path.Combine(dir, "model");
        var spec = ModelZoo.Spec("softmax", [1, 28, 28], FashionMnist.ClassNames, [0.5f], [0.25f]);
        using (var model = ModelZoo.Create(spec)) Checkpoint.Save(checkpoint, model, CheckpointInfo.FromSpec(spec) with { Dataset = FashionMnist.Name });
        ExperimentFixtures.Write(dir, "c.yaml",
            "name: sigterm\nthreads: 1\n" +
            "dataset: {name: fashion-mnist, options: {train_limit: 1000, validation_size: 100, test_limit: 100}}\n" +
            $"models:\n  m: {{checkpoint: {checkpoint}}}\n" +
            "fooling: {method: evolutionary, encoding: direct, generations: 1000000, population: 20}\n");
        var results = Path.Combine(dir, "run", RunResults.FileName);
        using (var p = Process.Start(ExperimentFixtures.LabStart(dir, "run", "c.yaml", "--out", "run", "--quiet"))!)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEndAsync();
            var sw = Stopwatch.StartNew();
            // Wait until the models are in and the fooling stage runs, then give it a moment inside its loop.
            while (!p.HasExited && sw.Elapsed < TimeSpan.FromMinutes(3) &&
                   !(File.Exists(results) && Json.ReadFile<RunResults>(results).Points is [{ } point] && point.Stages.ContainsKey("models")))
                Thread.Sleep(50);
            Assume.That(p.HasExited, Is.False, "the run ended before it could be stopped");
            Thread.Sleep(2000);
            using (var kill = Process.Start("kill", ["-" + signal, p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])!) kill.WaitForExit();
            Assert.That(p.WaitForExit(TimeSpan.FromSeconds(60)), Is.True, $"SIG{signal} stops the run within a generation or two");
            Assert.That(p.ExitCode, Is.EqualTo(130), stderr.Result);
            Assert.That(stderr.Result.Trim(), Is.EqualTo("lab: error: interrupted"));
        }
        var stopped = RunResults.Read(Path.Combine(dir, "run"));
        Assert.That(stopped.Status, Is.EqualTo("interrupted"));
        Assert.That(stopped.Points[0].Stages.ContainsKey("fooling"), Is.False, "the champions found so far are not the stage's result");
        Assert.That(File.Exists(Path.Combine(dir, "run", "stages", "fooling.json")), Is.False);

        var rerun = ExperimentFixtures.RunLab(dir, "run", "c.yaml", "--out", "run", "--quiet", "--set", "fooling.generations=3");
        Assert.That(rerun.Code, Is.EqualTo(0), rerun.Err);
        var done = RunResults.Read(Path.Combine(dir, "run"));
        Assert.That(done.Status, Is.EqualTo("complete"));
        Assert.That(done.Points[0].Runtime["fooling"].Reused, Is.False, "the interrupted stage is computed, not reused");
    }
}
