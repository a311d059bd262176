using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Serialization;

namespace RobustnessLab.Data;

/// <summary>
/// What a dataset read from a path (folder:, cifar10:) holds, beyond the path as written: the full path, how many
/// files and bytes lie under it, and a SHA-256 over every file's relative path, size and modification time. A cached
/// model or a saved stage result keyed by it is never reused for another folder under the same relative path, nor
/// for a folder whose files were added, removed, replaced or edited since. (Reading every byte would cost a full pass
/// over an ImageNet-sized folder at each run; the listing costs one directory walk.)
/// </summary>
public sealed record DatasetContent(
    [property: JsonPropertyName("path")] string Path,
    [property: JsonPropertyName("files")] int Files,
    [property: JsonPropertyName("bytes")] long Bytes,
    [property: JsonPropertyName("listing_sha256")] string ListingSha256)
{
    /// <summary>The content of a by-path dataset ("folder:PATH", "cifar10:PATH"); null for a dataset found by name.</summary>
    public static DatasetContent? Of(string registryName) =>
        DatasetRegistry.ByPath(registryName) is var (kind, path) && kind is not null ? OfFolder(path!) : null;

    /// <summary>The content of a folder (a missing folder has no files).</summary>
    public static DatasetContent OfFolder(string path)
    {
        var root = System.IO.Path.GetFullPath(path);
        var listing = new StringBuilder();
        int files = 0;
        long bytes = 0;
        if (Directory.Exists(root))
        {
            var options = new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, AttributesToSkip = 0 };
            var entries = new DirectoryInfo(root).EnumerateFiles("*", options)
                .Select(f => (Name: System.IO.Path.GetRelativePath(root, f.FullName).Replace('\\', '/'), f.Length, Ticks: f.LastWriteTimeUtc.Ticks))
                .OrderBy(f => f.Name, StringComparer.Ordinal);
            foreach (var (name, length, ticks) in entries)
            {
                files++;
                bytes += length;
                listing.Append(name).Append('\t').Append(length.ToString(CultureInfo.InvariantCulture))
                    .Append('\t').Append(ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())));
        return new DatasetContent(root, files, bytes, hash);
    }
}
