using RobustnessLab.Core;
using RobustnessLab.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Training;

/// <summary>PGD adversarial training's linear epsilon warm-up (ramp_epochs).</summary>
public class PgdRampTests
{
    private static double At(PgdObjective o, int epoch, int step, int steps = 10)
    {
        using var g = new Generator(0, CPU);
        return o.EpsilonAt(new TrainingStepInfo(epoch, step, steps, 6, g));
    }

    [Test]
    public void EpsilonGrowsLinearlyOverTheRampThenStaysAtItsTarget()
    {
        var ramp = (PgdObjective)TrainingObjectives.Create("pgd", new Dictionary<string, double> { ["eps"] = 0.3, ["ramp_epochs"] = 2 });
        var flat = (PgdObjective)TrainingObjectives.Create("pgd", new Dictionary<string, double> { ["eps"] = 0.3 });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(At(ramp, 0, 0), Is.EqualTo(0.3 * 0.05).Within(1e-12), "after the first step: 1/20 of the ramp");
            Assert.That(At(ramp, 0, 9), Is.EqualTo(0.15).Within(1e-12), "end of epoch 1: half");
            Assert.That(At(ramp, 1, 4), Is.EqualTo(0.3 * 15 / 20.0).Within(1e-12));
            Assert.That(At(ramp, 1, 9), Is.EqualTo(0.3).Within(1e-12), "full eps at the end of the ramp");
            Assert.That(At(ramp, 4, 3), Is.EqualTo(0.3), "and after it");
            Assert.That(At(flat, 0, 0), Is.EqualTo(0.3), "no ramp: full eps from the first step");
            Assert.That(() => TrainingObjectives.Create("pgd", new Dictionary<string, double> { ["ramp_epochs"] = -1 }),
                Throws.TypeOf<LabException>().With.Message.Contains("ramp_epochs"));
        }
    }
}
