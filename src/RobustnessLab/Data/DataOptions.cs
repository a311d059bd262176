namespace RobustnessLab.Data;

/// <summary>How to find and split a dataset.</summary>
/// <param name="DataDir">Folder with the dataset's files; null: the dataset's own search (variable, then system path).</param>
/// <param name="ValidationSize">Rows carved from the training set for validation, chosen by <paramref name="Seed"/>.</param>
/// <param name="Seed">Seed of the validation split.</param>
/// <param name="TrainLimit">Keep at most this many training rows (after the split); 0 keeps all.</param>
/// <param name="TestLimit">Keep at most this many test rows; 0 keeps all.</param>
/// <param name="Options">Dataset-specific settings (e.g. the gym scenes' image size or arm probabilities).</param>
public sealed record DataOptions(
    string? DataDir = null,
    int ValidationSize = 5000,
    int Seed = 0,
    int TrainLimit = 0,
    int TestLimit = 0,
    IReadOnlyDictionary<string, string>? Options = null)
{
    public string? Option(string key) => Options is not null && Options.TryGetValue(key, out var v) ? v : null;
}
