using System.Text.Json.Nodes;

namespace RobustnessLab.Training;

/// <summary>
/// What a training run needs to continue after its last finished epoch besides the weights and the optimizer state:
/// the epochs done, the trainer settings they were trained with, the log so far and the data they saw
/// (trainer-state.json in a checkpoint folder).
/// </summary>
public sealed record TrainingState
{
    public int EpochsDone { get; init; }
    public JsonObject Options { get; init; } = new();
    public List<EpochRecord> History { get; init; } = [];
    /// <summary>What the model was trained on (absent in checkpoints written before it was recorded).</summary>
    public TrainingDataShape? Data { get; init; }
}
