using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Training;

/// <summary>Where a training step is: for objectives that ramp (e.g. epsilon warm-up) or need randomness.</summary>
/// <param name="Epoch">0-based epoch.</param>
/// <param name="Step">0-based step within the epoch.</param>
/// <param name="StepsPerEpoch">Steps in one epoch.</param>
/// <param name="Epochs">Planned epochs.</param>
/// <param name="Generator">Seeded per epoch; use it for random starts so resumed runs match.</param>
public sealed record TrainingStepInfo(int Epoch, int Step, int StepsPerEpoch, int Epochs, Generator Generator)
{
    /// <summary>Worker threads an objective may split the batch's attack across (<see cref="Core.SampleWorkers"/>); 1: none.</summary>
    public int Workers { get; init; } = 1;

    /// <summary>Fraction of training done, in [0, 1).</summary>
    public double Progress => (Epoch * (double)StepsPerEpoch + Step) / Math.Max(1.0, Epochs * (double)StepsPerEpoch);
}

/// <summary>The loss to minimise for one batch, and the logits used for the running training accuracy.</summary>
public sealed record ObjectiveOutput(Tensor Loss, Tensor Logits);

/// <summary>
/// A training objective. The trainer calls <see cref="Compute"/> inside a dispose scope with the model in train
/// mode; the objective may switch modes while it builds adversarial inputs but must restore train mode.
/// </summary>
public interface ITrainingObjective
{
    string Name { get; }

    ObjectiveOutput Compute(Classifier model, Tensor x, Tensor y, TrainingStepInfo step);
}
