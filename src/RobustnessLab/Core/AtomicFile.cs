using System.Text;

namespace RobustnessLab.Core;

/// <summary>
/// Writes that a killed process cannot leave half-done: write a temp file in the same folder, flush, then rename.
/// </summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) =>
        Write(path, s => { var bytes = Encoding.UTF8.GetBytes(text); s.Write(bytes, 0, bytes.Length); });

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, s => s.Write(bytes, 0, bytes.Length));

    public static void Write(string path, Action<Stream> write)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        EnsureWritableDirectory(dir);
        var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Environment.ProcessId + ".tmp");
        try
        {
            using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                write(fs);
                fs.Flush(true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Produces a file through a path-taking writer (e.g. a library that only saves to a path), atomically.</summary>
    public static void WriteVia(string path, Action<string> writeToPath)
    {
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        EnsureWritableDirectory(dir);
        var tmp = Path.Combine(dir, "." + Path.GetFileName(full) + "." + Environment.ProcessId + ".tmp");
        try
        {
            writeToPath(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Creates the folder if needed and proves it is writable, with an error that names it.</summary>
    /// <summary>
    /// Refuses, before any work, an output path that names a folder or whose extension says another format than the
    /// one written (a .jpg name on PNG data), then makes sure its folder can be written.
    /// </summary>
    /// <param name="option">The option or key that gave the path, for the message.</param>
    /// <param name="extension">The extension the data needs, e.g. ".png"; null accepts any.</param>
    public static void RequireFileOutput(string path, string option, string? extension = null)
    {
        if (Directory.Exists(path)) throw new LabUsageException($"{option} '{path}' is a folder; give a file name{(extension is null ? "" : $" ending in {extension}")}");
        var ext = Path.GetExtension(path);
        if (extension is not null && !string.Equals(ext, extension, StringComparison.OrdinalIgnoreCase))
            throw new LabUsageException($"{option} '{path}': this writes {extension.TrimStart('.').ToUpperInvariant()} data, so the name must end in {extension}{(ext.Length == 0 ? "" : $", not {ext}")}");
        EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
    }

    public static void EnsureWritableDirectory(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, ".write-probe-" + Environment.ProcessId);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException)
        {
            throw new LabException($"output folder '{dir}' cannot be written: {e.Message}", e);
        }
    }

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
