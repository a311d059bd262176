using System.Security.Cryptography;
using System.Text;
using RobustnessLab.Core;

namespace RobustnessLab.Evaluation;

/// <summary>
/// A folder where <see cref="RobustnessEvaluation.Run"/> keeps what each attack found on each batch, so that a killed
/// evaluation resumes where it stopped. An (attack, batch) outcome written by an evaluation with the same identity is
/// read instead of run: the same scope, the same samples and labels with the same clean predictions, the same batch
/// size, seed, criterion, mode and epsilon nesting, and the same attack with the same settings, budgets and position in
/// the list. Batches are independent (each derives its generator from the seed, the attack's position and the batch
/// index), so a resumed evaluation returns the same rows as one that was never stopped, and adding an attack at the end
/// of the list reruns only that attack.
/// The scope names what the evaluation cannot see for itself: the model's weights (the attacks stage uses the model's
/// checkpoint hash) and the data's source.
/// </summary>
public sealed class EvaluationCheckpoint
{
    private int reused, written;

    public EvaluationCheckpoint(string directory, string scope)
    {
        if (string.IsNullOrWhiteSpace(directory)) throw new LabException("evaluation checkpoint: a folder is needed");
        Directory = directory;
        Scope = scope;
    }

    public string Directory { get; }

    public string Scope { get; }

    /// <summary>Outcomes read from the folder so far (batches not run again).</summary>
    public int Reused => Volatile.Read(ref reused);

    /// <summary>Outcomes written to the folder so far.</summary>
    public int Written => Volatile.Read(ref written);

    /// <summary>The saved value for this identity, or null (none, or a file that does not hold this identity).</summary>
    internal T? TryRead<T>(string identity) where T : class
    {
        var path = PathOf(identity);
        if (!File.Exists(path)) return null;
        try
        {
            var entry = Json.ReadFile<Entry<T>>(path);
            if (entry.Identity != Full(identity) || entry.Value is null) return null;
            Interlocked.Increment(ref reused);
            return entry.Value;
        }
        catch (Exception e) when (e is LabException or IOException or UnauthorizedAccessException)
        {
            // An unreadable entry is recomputed and overwritten, never trusted.
            return null;
        }
    }

    internal void Write<T>(string identity, T value)
    {
        System.IO.Directory.CreateDirectory(Directory);
        Json.WriteFile(PathOf(identity), new Entry<T>(Full(identity), value));
        Interlocked.Increment(ref written);
    }

    private string Full(string identity) => Scope + "\n" + identity;

    private string PathOf(string identity) =>
        Path.Combine(Directory, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Full(identity))))[..24] + ".json");

    /// <summary>One saved outcome with the full identity it answers (a hash collision or a stale file is never read).</summary>
    internal sealed record Entry<T>(string Identity, T Value);
}
