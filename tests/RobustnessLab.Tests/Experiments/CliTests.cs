using NUnit.Framework;
using RobustnessLab.Experiments.Gates;

namespace RobustnessLab.Tests.Experiments;

/// <summary>The experiment commands as a researcher calls them: exit codes and one clear error each.</summary>
public class CliTests
{
    [Test]
    public void ConfigValidateReportsPositionsAndExitsOne()
    {
        var dir = ExperimentFixtures.TempDir("cli");
        ExperimentFixtures.Write(dir, "bad.yaml", "name: x\ndataset: {name: fashion-mnist}\nmodels:\n  a: {architecture: cnn, epoch: 1}\n");
        var r = ExperimentFixtures.RunLab(dir, "config", "validate", "bad.yaml");
        Assert.That(r.Code, Is.EqualTo(1));
        Assert.That(r.Err, Does.Contain("lab: error: bad.yaml:4:26: models.a: unknown key 'epoch'; did you mean 'epochs'?"));
    }

    [Test]
    public void RunRefusesUnwiredStagesAndBadShardsWithoutWriting()
    {
        var dir = ExperimentFixtures.TempDir("cli");
        var quickstart = Path.Combine(ConfigLoadingTests.FindExperimentsFolder(), "quickstart.yaml");
        var unwired = ExperimentFixtures.RunLab(dir, "run", quickstart, "--out", "out");
        Assert.That(unwired.Code, Is.EqualTo(1));
        Assert.That(unwired.Err, Does.Contain("cannot run stage 'attacks'"));
        var shard = ExperimentFixtures.RunLab(dir, "run", quickstart, "--out", "out", "--shard", "2/2", "--set", "attacks=null", "--set", "figures=null", "--set", "fooling=null", "--set", "dumbbell=null");
        Assert.That(shard.Code, Is.EqualTo(1));
        Assert.That(shard.Err, Does.Contain("shard index 2 is out of range"));
        Assert.That(Directory.Exists(Path.Combine(dir, "out")), Is.False);
    }

    [Test]
    public void FrozenBaselineFilesParse()
    {
        var dir = Path.Combine(ConfigLoadingTests.FindExperimentsFolder(), "baselines");
        var files = Directory.GetFiles(dir, "*.yaml");
        Assert.That(files, Is.Not.Empty);
        foreach (var f in files) Assert.That(RegressionGate.Load(f).Rules, Is.Not.Empty, f);
    }
}
