using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Models;
using RobustnessLab.Reporting;
using RobustnessLab.Tests.Cli;

namespace RobustnessLab.Tests.Reliability;

/// <summary>
/// The table of bad inputs, from the command line: each case exits 1 (runtime) or 2 (usage) with one line naming the
/// option or file, before any work.
/// </summary>
[NonParallelizable]
public class BadInputCliTests
{
    private static string checkpoint = "";

    [OneTimeSetUp]
    public void SaveACheckpoint()
    {
        checkpoint = Path.Combine(TestSupport.TempDir("cli-bad"), "model");
        // All-zero weights: every image gets class 0, exactly chance (0.100) on Fashion-MNIST's balanced test set.
        TestSupport.SaveZeroSoftmaxCheckpoint(checkpoint, info => info with { Epoch = 5, Metrics = new Dictionary<string, double> { ["test_accuracy"] = 0.911 } });
    }

    private static void ExpectOneLine(string[] args, int code, string line)
    {
        var (actual, _, error) = InProcessCli.Run(args);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual, Is.EqualTo(code), error);
            Assert.That(error.Trim(), Is.EqualTo(line));
        }
    }

    [Test]
    public void EvalWarnsAboutThreadsTheSampleCapAndAModelAtChance()
    {
        RobustnessLab.Tests.Experiments.ExperimentFixtures.RequireData();
        var (code, _, error) = InProcessCli.Run("eval", "--model", Path.Combine(checkpoint, Checkpoint.InfoFile), "--n", "20000", "--threads", "10000");
        Assert.That(code, Is.EqualTo(0), error);
        int cores = Environment.ProcessorCount;
        Assert.That(error.Trim().Split('\n'), Is.EqualTo(new[]
        {
            $"lab: warning: --threads 10000 is more than the {cores} cores here; using {cores} (more threads than cores only slow libtorch down; RL_MAX_THREADS_PER_CORE raises the cap)",
            "lab: warning: --n 20000 is more than the 10000 test images of 'fashion-mnist'; evaluating all 10000",
            "lab: warning: clean accuracy 0.100 is at chance level (1/10 = 0.100): the model has learnt nothing, so its robustness, fooling and visualisation results mean nothing",
        }));
    }

    [Test]
    public void TrainRefusesToReplaceAFinishedCheckpointWithoutForce() =>
        ExpectOneLine(["train", "--out", checkpoint], 2,
            $"lab: error: usage: --out '{checkpoint}' already holds a checkpoint (softmax, epoch 5, test accuracy 0.911); pass --resume to continue it or --force to replace it (see lab train --help)");

    [Test]
    public void TrainRefusesAnOutputThatIsAFile()
    {
        var file = Path.Combine(checkpoint, Checkpoint.InfoFile);
        ExpectOneLine(["train", "--out", file], 2, $"lab: error: usage: --out '{file}' is a file; a checkpoint is a folder (see lab train --help)");
    }

    [Test]
    public void VisualizeRefusesAJpgNameForPngData() =>
        ExpectOneLine(["visualize", "--model", checkpoint, "--all", "--out", "/tmp/robustnesslab-tests/x.jpg"], 2,
            "lab: error: usage: --out '/tmp/robustnesslab-tests/x.jpg': this writes a figure as NAME.svg and NAME.png, so the name must end in .svg or .png or have none, not .jpg (see lab visualize --help)");

    [Test]
    public void VisualizeRefusesAFolderAsItsFigureName()
    {
        var dir = TestSupport.TempDir("vis-out-dir");
        ExpectOneLine(["visualize", "--model", checkpoint, "--all", "--out", dir], 2, $"lab: error: usage: --out '{dir}' is a folder; give a file name (see lab visualize --help)");
    }

    [Test]
    public void VisualizeRefusesSeedsThatCannotFit()
    {
        var (code, _, error) = InProcessCli.Run("visualize", "--model", checkpoint, "--all", "--seeds", "10000000", "--out", "/tmp/robustnesslab-tests/v.png");
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error.Trim(), Does.StartWith("lab: error: usage: 10000000 seed(s) at 28x28 px needs about").And.EndWith("(see lab visualize --help)"));
        Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
    }

    [Test]
    public void RobustnessRefusesAFolderAsItsReportFile()
    {
        var dir = TestSupport.TempDir("out-dir");
        ExpectOneLine(["robustness", "--model", checkpoint, "--out", dir], 2, $"lab: error: usage: --out '{dir}' is a folder; give a file name (see lab robustness --help)");
    }

    [Test]
    public void BenchRefusesAnUnknownWorkload() =>
        ExpectOneLine(["bench", "--only", "nonsense"], 2,
            "lab: error: usage: --only: unknown workload 'nonsense'; valid: train, fgsm, pgd, memory, data, fooling, visualize, workers, pgd-at, batches, eval (see lab bench --help)");

    private const string FashionClasses = "T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot";

    /// <summary>A list-valued option with a value it does not know: a usage error (exit 2) naming the valid values, before any work.</summary>
    public static IEnumerable<TestCaseData> UnknownListValues()
    {
        yield return new TestCaseData(new[] { "robustness", "--attacks", "fgsm,fgsm" }, "robustness",
            "attack 'fgsm' is listed twice with the same settings").SetName("robustness --attacks repeated");
        yield return new TestCaseData(new[] { "fool", "--classes", "Bag,Hat", "--generations", "1", "--out", "/tmp/robustnesslab-tests/fool-classes" }, "fool",
            $"--classes: class 'Hat' is not in the model; its classes: 0=T-shirt/top, 1=Trouser, 2=Pullover, 3=Dress, 4=Coat, 5=Sandal, 6=Shirt, 7=Sneaker, 8=Bag, 9=Ankle boot").SetName("fool --classes unknown");
        yield return new TestCaseData(new[] { "visualize", "--class", "Hat", "--out", "/tmp/robustnesslab-tests/vis-class" }, "visualize",
            $"no class 'Hat' in the model; its classes: {FashionClasses} (or an objective expression such as logit:CLASS or channel:LAYER:N)").SetName("visualize --class unknown");
        yield return new TestCaseData(new[] { "robustness", "--mode", "nonsense" }, "robustness",
            "--mode 'nonsense' is not a mode; valid: early-stop, max-loss").SetName("robustness --mode unknown");
        yield return new TestCaseData(new[] { "visualize", "--all", "--transforms", "nonsense", "--out", "/tmp/robustnesslab-tests/vis-t" }, "visualize",
            "unknown transform set 'nonsense'; valid: standard, lucid, none").SetName("visualize --transforms unknown");
    }

    [TestCaseSource(nameof(UnknownListValues))]
    public void AnUnknownValueOfAListValuedOptionIsAUsageError(string[] args, string command, string message) =>
        ExpectOneLine([args[0], "--model", checkpoint, .. args[1..]], 2, $"lab: error: usage: {message} (see lab {command} --help)");

    [Test]
    public void AnUnknownAttackOrPreviewOptionIsAUsageError()
    {
        var (code, _, error) = InProcessCli.Run("robustness", "--model", checkpoint, "--attacks", "fgsm,nonsense");
        Assert.That(code, Is.EqualTo(2), error);
        Assert.That(error.Trim(), Does.StartWith("lab: error: usage: unknown attack 'nonsense'; valid: fgsm, bim, pgd,"));
        ExpectOneLine(["data", "preview", "gym", "--option", "nonsense=1"], 2,
            "lab: error: usage: gym: unknown option 'nonsense'; valid: size, variant, p_dumbbell_arm, p_other_arm, p_arm, train, val, test (see lab data preview --help)");
    }

    [Test]
    public void TargetByClassNameIsAccepted()
    {
        var s = new RobustnessLab.Cli.Commands.RobustnessCommand.Settings { Model = checkpoint, Target = "Sneaker" };
        Assert.That(s.TargetRule(), Is.EqualTo((RobustnessLab.Attacks.TargetRule.Given, (int?)7)));
        var bad = new RobustnessLab.Cli.Commands.RobustnessCommand.Settings { Model = checkpoint, Target = "Hat" };
        Assert.That(() => bad.TargetRule(), Throws.InstanceOf<RobustnessLab.Cli.Infrastructure.UsageException>().With.Message.EqualTo(
            "--target expects least-likely, random, a class index or a class name, got 'Hat'; classes: T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot"));
    }

    private static string Results(string status)
    {
        var dir = Path.Combine(TestSupport.TempDir("check"), "run");
        Directory.CreateDirectory(dir);
        new RunResults
        {
            Name = "r",
            Status = status,
            Points = [new PointResult { Stages = { ["eval"] = new JsonObject { ["m"] = new JsonObject { ["accuracy"] = 0.9 } } } }],
        }.Write(dir);
        return dir;
    }

    [TestCase("interrupted")]
    [TestCase("failed")]
    public void CheckFailsOnARunThatDidNotFinish(string status)
    {
        var dir = Results(status);
        var baseline = Path.Combine(dir, "..", "rules.yaml");
        File.WriteAllText(baseline, "rules:\n  - eval.m.accuracy >= 0.5\n");
        var (code, _, error) = InProcessCli.Run("check", dir, "--baseline", baseline);
        Assert.That(code, Is.EqualTo(1), error);
        // The rule itself passes (0.9 >= 0.5): the one failed check is the run's status (its table row goes to the terminal).
        Assert.That(error.Trim(), Is.EqualTo($"lab: error: 1 of 2 checks failed (r against {baseline})"));
    }

    [Test]
    public void MalformedGateRuleExitsTwoNotOne()
    {
        var dir = Results("complete");
        var baseline = Path.Combine(dir, "..", "rules.yaml");
        File.WriteAllText(baseline, "rules:\n  - eval.m.accuracy >== 0.5\n");
        ExpectOneLine(["check", dir, "--baseline", baseline], 2,
            $"lab: error: usage: {baseline}:2:5: cannot read rule 'eval.m.accuracy >== 0.5'; write 'PATH >= 0.85' (or <=, >, <, ==, !=) or 'PATH within 0.03 of baseline' (or 'of 0.91') (see lab check --help)");
    }

    [Test]
    public void GalleryOverACorruptRunExitsOne()
    {
        var root = TestSupport.TempDir("gallery");
        Directory.CreateDirectory(Path.Combine(root, "bad"));
        File.WriteAllText(Path.Combine(root, "bad", RunResults.FileName), "{ not json");
        var (code, _, error) = InProcessCli.Run("gallery", root);
        Assert.That(code, Is.EqualTo(1), error);
        Assert.That(error, Does.Contain("(listed as unreadable)"));
    }
}
