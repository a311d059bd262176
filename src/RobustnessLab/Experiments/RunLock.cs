using System.Net;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments;

/// <summary>
/// Exclusive use of a run folder, so two <c>lab run</c> with the same --out do not both run every stage and overwrite
/// each other. The lock is an exclusive open of <c>.run.lock</c> (an advisory flock on Unix): the kernel releases it
/// when its holder exits, however it dies, so a lock left by a killed run is simply taken over. Beside it,
/// <c>.run.lock.json</c> names the holder for the refusal message.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string LockFile = ".run.lock";
    public const string HolderFile = ".run.lock.json";

    private readonly FileStream stream;
    private readonly string holderPath;

    private RunLock(FileStream stream, string holderPath)
    {
        this.stream = stream;
        this.holderPath = holderPath;
    }

    /// <summary>Takes the folder's lock or refuses with the holder's process id, host and start time.</summary>
    public static RunLock Acquire(string runDirectory)
    {
        Directory.CreateDirectory(runDirectory);
        var lockPath = Path.Combine(runDirectory, LockFile);
        var holderPath = Path.Combine(runDirectory, HolderFile);
        FileStream stream;
        try
        {
            stream = new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        }
        catch (IOException)
        {
            throw new LabException($"'{runDirectory}' is in use by {Holder.Describe(holderPath)}: wait for that run to finish or stop it, or choose another --out");
        }
        Json.WriteFile(holderPath, new Holder(Environment.ProcessId, Dns.GetHostName(), DateTime.UtcNow));
        return new RunLock(stream, holderPath);
    }

    /// <summary>
    /// Refuses a folder whose lock a live process holds (naming it, then <paramref name="advice"/>), without taking the
    /// lock or writing anything: for readers such as <c>lab merge</c>. A lock file left by a dead process is not held.
    /// </summary>
    public static void ThrowIfHeld(string runDirectory, string advice)
    {
        var lockPath = Path.Combine(runDirectory, LockFile);
        if (!File.Exists(lockPath)) return;
        try
        {
            using var probe = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.None, 1);
        }
        catch (FileNotFoundException) { }
        catch (IOException)
        {
            throw new LabException($"'{runDirectory}' is in use by {Holder.Describe(Path.Combine(runDirectory, HolderFile))}: {advice}");
        }
    }

    public void Dispose()
    {
        try { File.Delete(holderPath); }
        catch (IOException) { }
        stream.Dispose();
    }

    private sealed record Holder(int Pid, string Host, DateTime Started)
    {
        /// <summary>"process PID on HOST (since ... UTC)" from the holder file, or "another process" when it is unreadable.</summary>
        public static string Describe(string holderPath)
        {
            Holder? holder = null;
            try { holder = File.Exists(holderPath) ? Json.ReadFile<Holder>(holderPath) : null; }
            catch (LabException) { }
            catch (IOException) { }
            return holder is null ? "another process" : $"process {holder.Pid} on {holder.Host} (since {holder.Started:yyyy-MM-dd HH:mm:ss} UTC)";
        }
    }
}
