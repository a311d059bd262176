namespace RobustnessLab.Experiments;

/// <summary>
/// A synchronous <see cref="IProgress{T}"/> (Progress&lt;T&gt; posts to a synchronisation context, which would report
/// after the work is done): stages translate a library's progress into their own with it.
/// </summary>
internal sealed class Relay<T>(Action<T> action) : IProgress<T>
{
    public void Report(T value) => action(value);
}
