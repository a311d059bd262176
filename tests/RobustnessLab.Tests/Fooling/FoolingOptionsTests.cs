using RobustnessLab.Core;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Fooling;

namespace RobustnessLab.Tests.Fooling;

public class FoolingOptionsTests
{
    private static readonly string[] Names = [.. FoolingTestModels.FashionClasses];

    [Test]
    public void UnknownMethodIsAClearError() =>
        Assert.That(() => FoolingOptions.ParseMethod("genetic"),
            Throws.TypeOf<LabException>().With.Message.Contains("unknown fooling method 'genetic'").And.Message.Contains("direct, cppn, gradient"));

    [TestCase("DIRECT", FoolingMethod.Direct)]
    [TestCase("cppn", FoolingMethod.Cppn)]
    [TestCase(" gradient ", FoolingMethod.Gradient)]
    public void MethodNamesParse(string name, FoolingMethod expected) => Assert.That(FoolingOptions.ParseMethod(name), Is.EqualTo(expected));

    [TestCase(1, null, 300, "population must be >= 2")]
    [TestCase(0, null, 300, "population must be >= 2")]
    [TestCase(200, 0, 300, "generations must be > 0")]
    [TestCase(200, -5, 300, "generations must be > 0")]
    [TestCase(200, null, 0, "steps must be > 0")]
    public void BadSizesAreRejected(int population, int? generations, int steps, string expected)
    {
        var o = new FoolingOptions { Population = population, Generations = generations, Steps = steps };
        Assert.That(o.Validate, Throws.TypeOf<LabException>().With.Message.Contains(expected));
    }

    [Test]
    public void ClassesResolveByNameOrIndex()
    {
        var o = new FoolingOptions { Classes = ["bag", "0", "Ankle boot"] };
        Assert.That(o.ResolveClasses(Names), Is.EqualTo(new[] { 8, 0, 9 }));
        Assert.That(new FoolingOptions().ResolveClasses(Names), Is.EqualTo(Enumerable.Range(0, 10)));
    }

    [TestCase("Hat", "class 'Hat' is not in the model")]
    [TestCase("10", "class index 10 is not in the model")]
    [TestCase("-1", "class index -1 is not in the model")]
    public void ClassesNotInTheModelAreRejected(string entry, string expected)
    {
        var o = new FoolingOptions { Classes = [entry] };
        Assert.That(() => o.ResolveClasses(Names), Throws.TypeOf<LabException>().With.Message.Contains(expected).And.Message.Contains("Sneaker"));
    }

    [Test]
    public void DefaultGenerationsFollowTheMethod()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(new FoolingOptions { Method = FoolingMethod.Direct }.EffectiveGenerations, Is.EqualTo(200));
            Assert.That(new FoolingOptions { Method = FoolingMethod.Cppn }.EffectiveGenerations, Is.EqualTo(500));
            Assert.That(new FoolingOptions { Method = FoolingMethod.Cppn, Generations = 7 }.EffectiveGenerations, Is.EqualTo(7));
        }
    }

    [Test]
    public void NumericSettingsApplyByNameAndUnknownOnesAreRejected()
    {
        // A config's fooling.options and `lab fool --option` both go through NumericSettings.Apply.
        var o = NumericSettings.Apply(new FoolingOptions(), new Dictionary<string, double> { ["mutation_rate"] = 0.05, ["blur_every"] = 4, ["cppn_add_node"] = 0.2 }, "fooling");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(o.MutationRate, Is.EqualTo(0.05));
            Assert.That(o.BlurEvery, Is.EqualTo(4));
            Assert.That(o.Cppn.AddNode, Is.EqualTo(0.2));
            Assert.That(() => NumericSettings.Apply(new FoolingOptions(), new Dictionary<string, double> { ["mutation_rat"] = 1 }, "fooling"),
                Throws.TypeOf<LabException>().With.Message.Contains("unknown fooling setting 'mutation_rat'").And.Message.Contains("mutation_rate"));
            Assert.That(() => NumericSettings.Apply(new FoolingOptions(), new Dictionary<string, double> { ["jitter"] = 1.5 }, "fooling"),
                Throws.TypeOf<LabException>().With.Message.Contains("whole number"));
            foreach (var name in FoolingSection.OptionKeys)
                Assert.That(() => NumericSettings.Apply(new FoolingOptions(), new Dictionary<string, double> { [name] = 1 }, "fooling"), Throws.Nothing, name);
            Assert.That(FoolingSection.OptionKeys, Does.Contain("rubbish_samples").And.Contain("cppn_max_weight").And.Not.Contain("seed"));
        }
    }
}
