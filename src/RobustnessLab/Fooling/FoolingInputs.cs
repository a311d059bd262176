using RobustnessLab.Data;
using RobustnessLab.Models;

namespace RobustnessLab.Fooling;

/// <summary>What a fooling run measures against, beyond the model it fools; each part is optional.</summary>
/// <param name="Training">Training images, for the nearest-training-image distance.</param>
/// <param name="Reference">Held-out images (e.g. the test set), for the typical within-class distances.</param>
/// <param name="TransferModel">An independently trained second model, for transfer.</param>
/// <param name="ModelName">How the fooled model is named in the report (e.g. its checkpoint folder).</param>
/// <param name="TransferModelName">How the second model is named.</param>
/// <param name="Threads">Torch threads of the run (recorded; CPPN rendering uses as many workers).</param>
public sealed record FoolingInputs(
    Dataset? Training = null,
    Dataset? Reference = null,
    Classifier? TransferModel = null,
    string? ModelName = null,
    string? TransferModelName = null,
    int Threads = 1);
