using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>Plain empirical risk: cross-entropy on clean inputs.</summary>
public sealed class StandardObjective : ITrainingObjective
{
    public string Name => "standard";

    public ObjectiveOutput Compute(Classifier model, Tensor x, Tensor y, TrainingStepInfo step)
    {
        var logits = model.call(x);
        return new ObjectiveOutput(nn.functional.cross_entropy(logits, y), logits);
    }
}
