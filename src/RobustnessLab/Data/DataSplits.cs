namespace RobustnessLab.Data;

/// <summary>Train, validation (carved from the training set by seed) and test sets of one dataset.</summary>
public sealed record DataSplits(Dataset Train, Dataset Validation, Dataset Test) : IDisposable
{
    public string Name => Train.Name;
    public IReadOnlyList<string> ClassNames => Train.ClassNames;
    public int Channels => Train.Channels;
    public int Height => Train.Height;
    public int Width => Train.Width;

    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
