using System.Text.Json.Nodes;
using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Experiments;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

public class ConfigLoadingTests
{
    private const string Base = """
name: demo
seed: 1
dataset:
  name: fashion-mnist
  options: {train_limit: 100}
models:
  standard:
    architecture: cnn
    epochs: 2
  robust:
    architecture: cnn
    epochs: 3
    objective: pgd
    objective_args: {eps: 0.1}
eval: {}
attacks:
  - attack: fgsm
    eps: [0.1, 0.2]
  - attack: pgd
    eps: 0.1
    steps: 10
    models: standard

""";

    private static Experiment Load(string text, params string[] overrides) => ExperimentLoader.Parse(text, "test.yaml", overrides);

    [Test]
    public void ValidConfigBindsEveryKeyWithDefaultsAndScalarToListCoercion()
    {
        var e = Load(Base);
        var c = e.Config;
        var attacks = c.Section<IReadOnlyList<AttackSection>>("attacks")!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(c.Name, Is.EqualTo("demo"));
            Assert.That(c.Seed, Is.EqualTo(1));
            Assert.That(c.Models.Keys, Is.EqualTo(new[] { "standard", "robust" }), "model order follows the file");
            Assert.That(c.Stages.Keys, Is.EqualTo(new[] { "eval", "attacks" }), "stages in registry order");
            Assert.That(attacks[0].Eps, Is.EqualTo(new[] { 0.1, 0.2 }));
            Assert.That(attacks[1].Eps, Is.EqualTo(new[] { 0.1 }), "a scalar where a list is expected is a list of one");
            Assert.That(attacks[1].Models, Is.EqualTo(new[] { "standard" }));
            Assert.That(attacks[0].EffectiveSamples, Is.EqualTo(1000), "the library's defaults fill unset keys");
            Assert.That(c.Section<EvalSection>("eval")!.BatchSize, Is.EqualTo(1000));
            Assert.That(e.Points, Has.Count.EqualTo(1));
            Assert.That(e.Points[0].Config.Models["standard"].LearningRate, Is.EqualTo(3e-3), "resolved models carry the trainer defaults");
            Assert.That(e.Points[0].Config.Models["standard"].Args!["width"], Is.EqualTo(32), "and the architecture defaults");
        }
    }

    [Test]
    public void JsonConfigLoadsToTheSameResolvedConfigAsYaml()
    {
        var yaml = Load(Base);
        var json = yaml.Config.ToJson().ToJsonString();
        var fromJson = ExperimentLoader.Parse(json, "test.json");
        Assert.That(fromJson.Config.Resolve().ToJson().ToJsonString(), Is.EqualTo(yaml.Config.Resolve().ToJson().ToJsonString()));
    }

    [Test]
    public void ShownYamlLoadsBackToTheSameConfig()
    {
        var e = Load(Base + "sweep:\n  seed: [1, 2]\n  \"attacks[0].eps\": [[0.05], [0.1, 0.3]]\n");
        var shown = YamlText.Write(e.Config.Resolve().ToJson());
        var again = ExperimentLoader.Parse(shown, "shown.yaml");
        Assert.That(again.Config.Resolve().ToJson().ToJsonString(), Is.EqualTo(e.Config.Resolve().ToJson().ToJsonString()));
        Assert.That(again.Points.Select(p => p.Label), Is.EqualTo(e.Points.Select(p => p.Label)));
    }

    public static IEnumerable<TestCaseData> Overrides()
    {
        yield return new TestCaseData("models.standard.epochs=7", (Func<ExperimentConfig, object?>)(c => c.Models["standard"].Epochs), 7).SetName("set a nested integer");
        yield return new TestCaseData("attacks[0].eps=[0.05,0.1]", (Func<ExperimentConfig, object?>)(c => string.Join(",", c.Section<IReadOnlyList<AttackSection>>("attacks")![0].Eps)), "0.05,0.1").SetName("set a list inside a list entry");
        yield return new TestCaseData("attacks[2]={attack: square, eps: [0.1], queries: 100}", (Func<ExperimentConfig, object?>)(c => c.Section<IReadOnlyList<AttackSection>>("attacks")![2].Attack), "square").SetName("append a list entry");
        yield return new TestCaseData("attacks[1]=null", (Func<ExperimentConfig, object?>)(c => c.Section<IReadOnlyList<AttackSection>>("attacks")!.Count), 1).SetName("remove a list entry");
        yield return new TestCaseData("eval=null", (Func<ExperimentConfig, object?>)(c => c.Stages.ContainsKey("eval")), false).SetName("drop a stage");
        yield return new TestCaseData("dataset.options.test_limit=50", (Func<ExperimentConfig, object?>)(c => c.Dataset!.ToDataOptions(null).TestLimit), 50).SetName("add a dataset option");
        yield return new TestCaseData("models.extra.architecture=mlp", (Func<ExperimentConfig, object?>)(c => c.Models["extra"].Architecture), "mlp").SetName("create a mapping on the way");
        yield return new TestCaseData("name=\"quoted name\"", (Func<ExperimentConfig, object?>)(c => c.Name), null).SetName("a bad value is still validated");
    }

    [TestCaseSource(nameof(Overrides))]
    public void OverridesApplyToTheParsedTree(string set, Func<ExperimentConfig, object?> read, object? expected)
    {
        if (expected is null)
        {
            var ex = Assert.Throws<ConfigException>(() => Load(Base, set));
            Assert.That(ex!.Message, Does.Contain("--set name=").And.Contain("cannot name a folder"));
            return;
        }
        Assert.That(read(Load(Base, set).Config), Is.EqualTo(expected));
    }

    public static IEnumerable<TestCaseData> Invalid()
    {
        yield return new TestCaseData(Base.Replace("    epochs: 2\n", "    epoch: 2\n"), "test.yaml:9:5: models.standard: unknown key 'epoch'; did you mean 'epochs'?").SetName("misspelt key gets did-you-mean at its line and column");
        yield return new TestCaseData(Base.Replace("seed: 1", "seed: one"), "test.yaml:2:7: seed: must be an integer, got 'one'").SetName("wrong scalar type");
        yield return new TestCaseData(Base.Replace("seed: 1", "seed: \"1\""), "test.yaml:2:7: seed: must be an integer, got the string \"1\"").SetName("quoted number is a string");
        yield return new TestCaseData(Base.Replace("eps: [0.1, 0.2]", "eps: {a: 1}"), "test.yaml:18:10: attacks[0].eps: must be a list, got a mapping").SetName("mapping where a list is expected");
        yield return new TestCaseData(Base.Replace("attack: fgsm", "attack: fgsn"), "test.yaml:17:13: attacks[0].attack: unknown value 'fgsn'; did you mean 'fgsm'?").SetName("unknown attack");
        yield return new TestCaseData(Base.Replace("eps: [0.1, 0.2]", "eps: [0.1, 1.5]"), "test.yaml:18:16: attacks[0].eps[1]: must be in [0, 1], got 1.5").SetName("epsilon out of range");
        yield return new TestCaseData(Base.Replace("models: standard", "models: standrd"), "test.yaml:22:13: attacks[1].models[0]: no model 'standrd' is defined under 'models'; did you mean 'standard'?").SetName("unknown model id");
        yield return new TestCaseData(Base + "atacks: []\n", "test.yaml:23:1: (root): unknown key 'atacks'; did you mean 'attacks'?").SetName("unknown root key");
        yield return new TestCaseData(Base + "dumbel: {}\n", "test.yaml:23:1: (root): unknown key 'dumbel'; did you mean 'dumbbell'?").SetName("unknown stage");
        yield return new TestCaseData(Base.Replace("    steps: 10\n", "    steps: 10\n    steps: 20\n"), "test.yaml:22:5: duplicate key 'steps' (first given at test.yaml:21:5)").SetName("duplicate key");
        yield return new TestCaseData(Base.Replace("attack: fgsm\n", "attack: fgsm\n    steps: 5\n"), "test.yaml:18:12: attacks[0].steps: conflicting options: fgsm is a single step of size eps; use 'pgd' or 'bim' for 'steps'").SetName("conflicting attack options");
        yield return new TestCaseData(Base.Replace("    architecture: cnn\n    epochs: 2\n", "    checkpoint: runs/x\n    epochs: 2\n"), "test.yaml:9:13: models.standard.epochs: conflicting options: 'checkpoint' loads a trained model, 'epochs' configures training; keep one").SetName("checkpoint with training keys");
        yield return new TestCaseData(Base.Replace("name: fashion-mnist", "name: fashion-mnst"), "test.yaml:4:9: dataset.name: unknown dataset 'fashion-mnst'; did you mean 'fashion-mnist'?").SetName("unknown dataset");
        yield return new TestCaseData(Base.Replace("train_limit: 100", "train_limt: 100"), "test.yaml:5:25: dataset.options.train_limt: dataset 'fashion-mnist' has no option 'train_limt'; did you mean 'train_limit'?").SetName("unknown dataset option");
        yield return new TestCaseData(Base.Replace("objective: pgd", "objective: pgdd"), "test.yaml:13:16: models.robust.objective: unknown training objective 'pgdd'; did you mean 'pgd'?").SetName("unknown objective");
        yield return new TestCaseData(Base.Replace("architecture: cnn\n    epochs: 2", "architecture: cnn\n    args: {widht: 8}\n    epochs: 2"), "test.yaml:9:19: models.standard.args.widht: 'cnn' has no argument 'widht'; did you mean 'width'?").SetName("unknown architecture argument");
        yield return new TestCaseData("name: x\nmodels:\n  a: [1\n", "test.yaml:4:1: malformed YAML:").SetName("malformed YAML");
        yield return new TestCaseData("name: x\n\tseed: 1\n", "test.yaml:1:7: malformed YAML: While scanning a plain scalar, found a tab character").SetName("tab indentation");
        yield return new TestCaseData("- 1\n- 2\n", "test.yaml:1:1: a config is a mapping of settings").SetName("not a mapping");
        yield return new TestCaseData("seed: 1\n", "test.yaml:1:1: (root): missing required key 'name'").SetName("missing name");
        yield return new TestCaseData(Base + "sweep:\n  seed: 3\n", "test.yaml:24:9: sweep.seed: must be a non-empty list of the values to try, got '3'").SetName("sweep axis not a list");
        yield return new TestCaseData(Base + "sweep:\n  models.standard.epochs: [1, -1]\n", "test.yaml:24:31: models.standard.epochs: must be positive, got -1 (sweep point models.standard.epochs=-1)").SetName("bad sweep value at its position");
    }

    [TestCaseSource(nameof(Invalid))]
    public void InvalidConfigsNameFileLineAndColumn(string text, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Parse(text, "test.yaml"));
        Assert.That(ex!.Errors.Select(e => e.ToString()), Has.Some.StartsWith(expected), ex.Message);
    }

    [Test]
    public void EveryProblemIsReportedInOnePass()
    {
        var text = Base.Replace("seed: 1", "seed: one").Replace("attack: fgsm", "attack: fgsn").Replace("    epochs: 2\n", "    epoch: 2\n");
        var ex = Assert.Throws<ConfigException>(() => ExperimentLoader.Parse(text, "test.yaml"));
        Assert.That(ex!.Errors, Has.Count.EqualTo(3), ex.Message);
        Assert.That(ex.Errors.Select(e => e.Position.Line), Is.Ordered, "sorted by position");
    }

    public static IEnumerable<TestCaseData> BadOverrides()
    {
        yield return new TestCaseData("models.standard.epochs", "--set models.standard.epochs: expected key=value").SetName("no equals sign");
        yield return new TestCaseData("attacks[5].eps=[0.1]", "attacks: index 5 is out of range (the list has 2 entries)").SetName("index out of range");
        yield return new TestCaseData("seed[0]=1", "seed: is '1', not a list").SetName("index into a scalar");
        yield return new TestCaseData("attacks[0].eps=[0.1", "--set attacks[0].eps=[0.1: malformed value").SetName("malformed value");
        yield return new TestCaseData("models.standard.epochs=zero", "--set models.standard.epochs=zero: models.standard.epochs: must be an integer, got 'zero'").SetName("wrong type names the override");
    }

    [TestCaseSource(nameof(BadOverrides))]
    public void BadOverridesAreClearErrors(string set, string expected)
    {
        var ex = Assert.Throws<ConfigException>(() => Load(Base, set));
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void SweepExpandsToAGridWithTheFirstAxisSlowest()
    {
        var e = Load(Base + "sweep:\n  seed: [1, 2]\n  models.standard.epochs: [1, 2, 3]\n");
        Assert.That(e.Points.Select(p => p.Label), Is.EqualTo(new[]
        {
            "seed=1, models.standard.epochs=1", "seed=1, models.standard.epochs=2", "seed=1, models.standard.epochs=3",
            "seed=2, models.standard.epochs=1", "seed=2, models.standard.epochs=2", "seed=2, models.standard.epochs=3",
        }));
        Assert.That(e.Points.Select(p => (p.Config.Seed, p.Config.Models["standard"].Epochs)),
            Is.EqualTo(new[] { (1, (int?)1), (1, 2), (1, 3), (2, 1), (2, 2), (2, 3) }));
        Assert.That(e.Points[3].Config.Models["standard"].Seed, Is.EqualTo(2), "a model's seed follows the swept run seed");
    }

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(4)]
    [TestCase(7)]
    public void ShardsPartitionTheSweepDeterministically(int count)
    {
        var e = Load(Base + "sweep:\n  seed: [1, 2, 3]\n  models.standard.epochs: [1, 2]\n");
        var all = Enumerable.Range(0, count).SelectMany(i => e.PointsOf(new ShardSpec(i, count)).Select(p => p.Index)).ToList();
        Assert.That(all.Order(), Is.EqualTo(Enumerable.Range(0, 6)), "every point in exactly one shard");
        Assert.That(e.PointsOf(new ShardSpec(0, count)).Select(p => p.Index), Is.EqualTo(Load(Base + "sweep:\n  seed: [1, 2, 3]\n  models.standard.epochs: [1, 2]\n").PointsOf(new ShardSpec(0, count)).Select(p => p.Index)));
    }

    [TestCase("2/2", "shard index 2 is out of range; shards are numbered 0 to 1")]
    [TestCase("0/0", "the shard count must be at least 1")]
    [TestCase("a/3", "--shard expects i/N")]
    [TestCase("-1/3", "--shard expects i/N")]
    public void ShardSpecRejectsOutOfRange(string text, string expected)
    {
        var ex = Assert.Throws<LabException>(() => ShardSpec.Parse(text));
        Assert.That(ex!.Message, Does.Contain(expected));
    }

    [Test]
    public void ReferenceExperimentsValidateAgainstTheSchema()
    {
        var dir = FindExperimentsFolder();
        var files = Directory.GetFiles(dir, "*.yaml").Select(Path.GetFileName).Order().ToList();
        Assert.That(files, Is.SupersetOf(new[] { "quickstart.yaml", "fgsm-panda-gibbon.yaml", "robustness-curves.yaml", "fooling-images.yaml", "dumbbell-arm.yaml" }));
        foreach (var f in files)
        {
            var e = ExperimentLoader.Load(Path.Combine(dir, f!));
            Assert.That(e.Name, Is.EqualTo(Path.GetFileNameWithoutExtension(f)), $"{f}: run name matches the file");
        }
        var curves = ExperimentLoader.Load(Path.Combine(dir, "robustness-curves.yaml"));
        var attacks = curves.Config.Section<IReadOnlyList<AttackSection>>("attacks")!;
        Assert.That(attacks.Select(a => a.Attack), Is.EqualTo(new[] { "fgsm", "pgd", "apgd-ce", "apgd-t", "square", "deepfool", "cw" }));
        // Every Linf attack on one grid; Carlini-Wagner is L2-only and has its own grid.
        Assert.That(attacks.Where(a => a.EffectiveNorm == "linf").Select(a => a.Attack), Is.EqualTo(new[] { "fgsm", "pgd", "apgd-ce", "apgd-t", "square", "deepfool" }));
        Assert.That(attacks.Where(a => a.EffectiveNorm == "linf").All(a => a.Eps.SequenceEqual(new[] { 0, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3 })));
        Assert.That(attacks.All(a => a.RegistryName is not null), "every attack resolves to the attacks library's registry");
        Assert.That(curves.Config.Models.Keys, Is.EqualTo(new[] { "standard", "fgsm-rs", "pgd-at", "trades" }));
        Assert.That(curves.Config.Models.Values.Select(m => m.Objective ?? "standard"), Is.EqualTo(new[] { "standard", "fgsm-rs", "pgd", "trades" }));
        Assert.That(curves.Config.Models.Values.All(m => RobustnessLab.Training.TrainingObjectives.Names.Contains(m.Objective ?? "standard")),
            "adversarial models train through the trainer's registered objectives");
    }

    [Test]
    public void UnwiredStagesValidateButTheRunnerRefusesThemBeforeWritingAnything()
    {
        var e = Load(Base.Replace("    objective: pgd\n    objective_args: {eps: 0.1}\n", ""));
        var registry = StageRegistry.Default.With(new StageDefinition("attacks", typeof(IReadOnlyList<AttackSection>), "attacks", null, "its library is not in this build"));
        var outDir = Path.Combine(ExperimentFixtures.TempDir("unwired"), "run");
        var ex = Assert.Throws<LabException>(() => new ExperimentRunner(registry).Run(e, new RunOptions { OutDirectory = outDir }));
        Assert.That(ex!.Message, Does.Contain("cannot run stage 'attacks'").And.Contain("not in this build").And.Contain("--set attacks=null"));
        Assert.That(Directory.Exists(outDir), Is.False, "nothing written");
    }

    [Test]
    public void EveryStageOfTheDefaultRegistryIsWired()
    {
        Assert.That(StageRegistry.Default.Stages.Where(s => !s.IsWired).Select(s => s.Name), Is.Empty);
    }

    [TestCase("attack: fgsm", "fgsm")]
    [TestCase("attack: pgd\n    norm: l2", "pgd-l2")]
    [TestCase("attack: deepfool", "deepfool")]
    [TestCase("attack: deepfool\n    norm: linf", "deepfool-linf")]
    [TestCase("attack: mi-fgsm", "mi-fgsm")]
    public void AttackNamesAndNormsResolveToTheRegistry(string yaml, string registryName)
    {
        var e = Load(Base.Replace("attack: fgsm", yaml.Replace("\\n", "\n")));
        Assert.That(e.Config.Section<IReadOnlyList<AttackSection>>("attacks")![0].RegistryName, Is.EqualTo(registryName));
    }

    [Test]
    public void AnAttackWithoutTheRequestedNormIsRefused()
    {
        var ex = Assert.Throws<ConfigException>(() => Load(Base.Replace("attack: fgsm", "attack: cw\n    norm: linf")));
        Assert.That(ex!.Message, Does.Contain("attacks[0].norm: 'cw' has no linf variant; its norms: l2"));
    }

    [Test]
    public void SchemaDocumentsEveryStageAndKey()
    {
        var text = ConfigSchema.Describe(StageRegistry.Default);
        Assert.That(text, Does.Contain("attacks:").And.Contain("eps:").And.Contain("dumbbell:").And.Contain("checkpoint:").And.Contain("sweep:")
            .And.Not.Contain("[not runnable in this build]"));
    }

    [Test]
    public void ConfigHashIgnoresFormattingButNotValues()
    {
        var a = Load(Base);
        var b = Load(Base.Replace("eps: [0.1, 0.2]", "eps:\n      - 0.1\n      - 0.2"));
        var c = Load(Base, "attacks[0].samples=10");
        Assert.That(b.ConfigHash, Is.EqualTo(a.ConfigHash));
        Assert.That(c.ConfigHash, Is.Not.EqualTo(a.ConfigHash));
        Assert.That(a.Config.ToJson()["attacks"], Is.InstanceOf<JsonArray>());
    }

    internal static string FindExperimentsFolder()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "experiments"))) dir = dir.Parent;
        Assert.That(dir, Is.Not.Null, "experiments/ folder not found above the test binaries");
        return Path.Combine(dir!.FullName, "experiments");
    }
}
