namespace RobustnessLab.Data;

/// <summary>Train, validation (carved from the training set by seed) and test sets of one dataset.</summary>
public sealed record DataSplits(Dataset Train, Dataset Validation, Dataset Test) : IDisposable
{
    public string Name => Train.Name;
    public IReadOnlyList<string> ClassNames => Train.ClassNames;
    public int Channels => Train.Channels;
    public int Height => Train.Height;
    public int Width => Train.Width;

    /// <summary>
    /// The seed that chose the validation rows (<see cref="DataOptions.Seed"/>; for the gym scenes, the seed of every
    /// split), recorded in a trained model's model.json so commands that load the model's data later draw the same
    /// rows. Null when the splits were built by hand.
    /// </summary>
    public int? SplitSeed { get; init; }

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
