namespace RobustnessLab.Core;

/// <summary>
/// A synchronous <see cref="IProgress{T}"/>: <see cref="Progress{T}"/> posts to a synchronisation context (or the
/// thread pool), which would report after the work is done. The one adapter the library, its stages and the CLI use to
/// translate one kind of progress into another.
/// </summary>
public sealed class SyncProgress<T>(Action<T> action) : IProgress<T>
{
    /// <inheritdoc/>
    public void Report(T value) => action(value);
}
