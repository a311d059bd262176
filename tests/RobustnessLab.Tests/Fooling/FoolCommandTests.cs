using RobustnessLab.Cli;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Models;
using RobustnessLab.Tests.Cli;

namespace RobustnessLab.Tests.Fooling;

/// <summary>`lab fool` bad input: one clear line each, the documented exit code, nothing written.</summary>
[NonParallelizable]
public class FoolCommandTests
{
    private static (int Code, string Error) Run(params string[] args)
    {
        var (code, _, error) = InProcessCli.Run(args);
        return (code, error);
    }

    private static string SavedUntrainedModel(string dir)
    {
        using var model = FoolingTestModels.Untrained("mlp");
        Checkpoint.Save(dir, model, CheckpointInfo.FromSpec(model.Spec));
        return dir;
    }

    public static IEnumerable<TestCaseData> UsageErrors()
    {
        yield return new TestCaseData(new[] { "--method", "genetic" }, "unknown fooling method 'genetic'; valid: direct, cppn, gradient").SetName("fool: unknown method");
        yield return new TestCaseData(new[] { "--population", "1" }, "--population must be >= 2").SetName("fool: population below 2");
        yield return new TestCaseData(new[] { "--generations", "0" }, "--generations must be > 0").SetName("fool: no generations");
        yield return new TestCaseData(new[] { "--method", "gradient", "--steps", "-3" }, "--steps must be > 0").SetName("fool: negative steps");
        yield return new TestCaseData(new[] { "--method", "gradient", "--generations", "5" }, "gradient fooling takes --steps").SetName("fool: generations with gradient");
        yield return new TestCaseData(new[] { "--start", "white" }, "--start must be noise or grey").SetName("fool: unknown start");
    }

    [TestCaseSource(nameof(UsageErrors))]
    public void UsageErrorsExitTwoWithOneLine(string[] extra, string expected)
    {
        var root = Path.Combine(Path.GetTempPath(), "robustnesslab-tests", "fool-cli-" + Guid.NewGuid().ToString("N")[..8]);
        var outDir = Path.Combine(root, "out");
        try
        {
            var model = SavedUntrainedModel(Path.Combine(root, "model"));
            var (code, error) = Run(["fool", "--model", model, "--out", outDir, "--quiet", .. extra]);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(code, Is.EqualTo(CliHost.UsageError));
                Assert.That(error, Does.Contain(expected));
                Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
                Assert.That(Directory.Exists(outDir), Is.False, "nothing written on bad input");
            }
        }
        finally { if (Directory.Exists(root)) Directory.Delete(root, true); }
    }

    [TestCase("Hat", "class 'Hat' is not in the model")]
    [TestCase("10", "class index 10 is not in the model")]
    public void ClassesNotInTheModelAreAUsageErrorWithOneLine(string classes, string expected)
    {
        var root = Path.Combine(Path.GetTempPath(), "robustnesslab-tests", "fool-cli-" + Guid.NewGuid().ToString("N")[..8]);
        var outDir = Path.Combine(root, "out");
        try
        {
            var model = SavedUntrainedModel(Path.Combine(root, "model"));
            var (code, error) = Run("fool", "--model", model, "--out", outDir, "--quiet", "--classes", classes);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(code, Is.EqualTo(CliHost.UsageError), "an unknown value of a list-valued option is a usage error");
                Assert.That(error, Does.Contain(expected).And.Contain("Ankle boot"));
                Assert.That(error.Trim().Split('\n'), Has.Length.EqualTo(1));
                Assert.That(Directory.Exists(outDir), Is.False, "nothing written on bad input");
            }
        }
        finally { if (Directory.Exists(root)) Directory.Delete(root, true); }
    }
}
