using RobustnessLab.Core;

namespace RobustnessLab.Training;

/// <summary>The loss became NaN or infinite; the last good checkpoint is kept.</summary>
public sealed class TrainingDivergedException(string message) : LabException(message);
