using RobustnessLab.Cli;
using RobustnessLab.Cli.Infrastructure;

namespace RobustnessLab.Tests.Cli;

/// <summary>Every bad input gets one clear line and the documented exit code; nothing is written.</summary>
[NonParallelizable]
public class ExitCodeTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var (code, _, error) = InProcessCli.Run(args);
        return (code, error);
    }

    public static IEnumerable<TestCaseData> UsageErrors()
    {
        yield return new TestCaseData(new[] { "train", "--model", "cnn" }, "--out").SetName("train without --out");
        yield return new TestCaseData(new[] { "train", "--model", "vgg", "--out", "/tmp/x" }, "valid: softmax").SetName("unknown model lists valid ones");
        yield return new TestCaseData(new[] { "train", "--dataset", "cifar", "--out", "/tmp/x" }, "valid: fashion-mnist").SetName("unknown dataset lists valid ones");
        yield return new TestCaseData(new[] { "train", "--lr", "0", "--out", "/tmp/x" }, "learning rate").SetName("non-positive learning rate");
        yield return new TestCaseData(new[] { "train", "--batch-size", "-5", "--out", "/tmp/x" }, "batch size").SetName("non-positive batch size");
        yield return new TestCaseData(new[] { "train", "--epochs", "0", "--out", "/tmp/x" }, "epochs").SetName("non-positive epochs");
        yield return new TestCaseData(new[] { "train", "--epochs", "many", "--out", "/tmp/x" }, "usage").SetName("malformed number");
        yield return new TestCaseData(new[] { "frobnicate" }, "usage").SetName("unknown command");
        yield return new TestCaseData(new[] { "eval" }, "--model").SetName("eval without --model");
        yield return new TestCaseData(new[] { "train", "--epoch", "3", "--out", "/tmp/x" }, "Unknown option 'epoch'").SetName("mistyped option is refused");
        yield return new TestCaseData(new[] { "data", "preview", "gym", "--p-dumbbell-arm", "0.5", "--out", "/tmp/x/g.png" }, "lab data preview --help").SetName("unknown option of a subcommand names it");
    }

    [TestCaseSource(nameof(UsageErrors))]
    public void UsageErrorsExitTwoWithOneLine(string[] args, string expected)
    {
        var (code, error) = Run(args);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain(expected));
            Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
            Assert.That(Directory.Exists("/tmp/x"), Is.False, "nothing written on bad input");
        }
    }

    [Test]
    public void MissingCheckpointIsARuntimeError()
    {
        var (code, error) = Run("eval", "--model", "/nonexistent/checkpoint");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.EqualTo(1));
            Assert.That(error, Does.Contain("not found"));
            Assert.That(error, Does.Not.Contain("   at "), "no stack trace without --verbose");
        }
    }

    [Test]
    public void UnwritableOutputFolderIsARuntimeError()
    {
        var dir = TestSupport.TempDir("ro");
        try
        {
            var file = Path.Combine(dir, "a-file");
            File.WriteAllText(file, "");
            // A folder "inside" a regular file can never be created, even as root.
            var (code, error) = Run("train", "--out", Path.Combine(file, "sub", "ckpt"));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(code, Is.EqualTo(1));
                Assert.That(error, Does.Contain("cannot be written"));
            }
        }
        finally { Directory.Delete(dir, true); }
    }
}

/// <summary>
/// Every command's --help renders: Spectre treats square brackets in descriptions as markup, so an unescaped
/// "[0,1]" turns help into a crash. Runs the help of each registered command, leaf and branch.
/// </summary>
[NonParallelizable]
public class HelpTests
{
    public static IEnumerable<string[]> Commands() =>
    [
        [], ["info"], ["train"], ["eval"], ["attack"], ["robustness"], ["fool"], ["data"], ["data", "preview"],
        ["visualize"], ["dumbbell"], ["run"], ["config"], ["config", "validate"], ["config", "show"], ["config", "schema"],
        ["gallery"], ["check"], ["merge"], ["sweep"], ["sweep", "slurm"], ["sweep", "k8s"], ["bench"],
    ];

    [TestCaseSource(nameof(Commands))]
    public void HelpRendersWithoutError(string[] command)
    {
        var (code, _, error) = InProcessCli.Run([.. command, "--help"]);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(code, Is.Zero, error);
            Assert.That(error, Does.Not.Contain("error"));
        }
    }
}
