using System.Buffers.Binary;
using System.Text.Json;
using RobustnessLab.Core;

namespace RobustnessLab.Models;

/// <summary>
/// Reads and checks the JSON header of a .safetensors file (names, dtypes, shapes, data offsets) without loading the
/// data. The format (huggingface/safetensors) puts an 8-byte little-endian header length, the header, then one data
/// block; a valid file's tensors tile that block exactly: offsets non-negative and in order, no overlap, no gap, and
/// each span holding dtype size x the product of its shape. Anything else is refused here with the tensor's name,
/// because libtorch would otherwise load garbage (or crash) without a word.
/// </summary>
public static class SafetensorsHeader
{
    public sealed record Entry(string Name, string DType, long[] Shape, long Begin, long End);

    /// <summary>Largest header accepted, as in the reference implementation (100 MB).</summary>
    public const long MaxHeaderBytes = 100_000_000;

    /// <summary>Bytes per element of each dtype name the format defines.</summary>
    public static readonly IReadOnlyDictionary<string, int> DTypeSizes = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        ["F64"] = 8, ["F32"] = 4, ["F16"] = 2, ["BF16"] = 2, ["I64"] = 8, ["I32"] = 4, ["I16"] = 2, ["I8"] = 1,
        ["U64"] = 8, ["U32"] = 4, ["U16"] = 2, ["U8"] = 1, ["BOOL"] = 1,
    };

    public static IReadOnlyList<Entry> Read(string path)
    {
        if (!File.Exists(path)) throw new LabException($"{path}: file not found");
        using var fs = File.OpenRead(path);
        var lenBytes = new byte[8];
        if (fs.Read(lenBytes, 0, 8) != 8) throw new LabException($"{path}: truncated safetensors file (no header length)");
        long len = BinaryPrimitives.ReadInt64LittleEndian(lenBytes);
        if (len <= 0 || len > MaxHeaderBytes || len > fs.Length - 8) throw new LabException($"{path}: corrupt safetensors header length {len}");
        var header = new byte[len];
        fs.ReadExactly(header, 0, (int)len);
        return Parse(header, fs.Length - 8 - len, path);
    }

    /// <summary>Checks a header against the size of the data block that follows it.</summary>
    public static IReadOnlyList<Entry> Parse(byte[] header, long dataLength, string path)
    {
        var entries = new List<Entry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 8 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new LabException($"{path}: corrupt safetensors header (not a JSON object)");
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (!names.Add(p.Name)) throw new LabException($"{path}: tensor '{p.Name}' appears twice in the header");
                if (p.Name == "__metadata__") continue;
                if (p.Value.ValueKind != JsonValueKind.Object) throw new LabException($"{path}: tensor '{p.Name}': header entry is not an object");
                var dtype = p.Value.GetProperty("dtype").GetString() ?? "";
                if (!DTypeSizes.TryGetValue(dtype, out int size))
                    throw new LabException($"{path}: tensor '{p.Name}' has unknown dtype '{dtype}' (known: {string.Join(", ", DTypeSizes.Keys)})");
                var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (shape.Any(d => d < 0)) throw new LabException($"{path}: tensor '{p.Name}' has a negative dimension in shape [{string.Join(", ", shape)}]");
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2) throw new LabException($"{path}: tensor '{p.Name}': data_offsets must be [begin, end], got {offsets.Length} numbers");
                long begin = offsets[0], end = offsets[1];
                if (begin < 0 || end < begin)
                    throw new LabException($"{path}: tensor '{p.Name}' has invalid data_offsets [{begin}, {end}] (need 0 <= begin <= end)");
                if (end > dataLength)
                    throw new LabException($"{path}: tensor '{p.Name}' points past the end of the file (data_offsets end {end}, data block {dataLength} bytes; truncated?)");
                long elements = 1;
                foreach (var d in shape)
                {
                    if (d != 0 && elements > long.MaxValue / d / size) throw new LabException($"{path}: tensor '{p.Name}': shape [{string.Join(", ", shape)}] is too large");
                    elements *= d;
                }
                if (end - begin != elements * size)
                    throw new LabException($"{path}: tensor '{p.Name}' spans {end - begin} bytes, but {dtype} [{string.Join(", ", shape)}] needs {elements * size}");
                entries.Add(new Entry(p.Name, dtype, shape, begin, end));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new LabException($"{path}: corrupt safetensors header ({e.Message})", e);
        }
        // The tensors must tile the data block: sorted by offset, each starts where the previous ended, the last ends at the end.
        long at = 0;
        foreach (var e in entries.OrderBy(e => e.Begin).ThenBy(e => e.End))
        {
            if (e.Begin < at) throw new LabException($"{path}: tensor '{e.Name}' overlaps the previous tensor (data_offsets begin {e.Begin}, previous end {at})");
            if (e.Begin > at) throw new LabException($"{path}: {e.Begin - at} bytes before tensor '{e.Name}' belong to no tensor (data_offsets begin {e.Begin}, previous end {at})");
            at = e.End;
        }
        if (at != dataLength) throw new LabException($"{path}: the tensors cover {at} of the {dataLength} data bytes; the rest belongs to no tensor");
        return entries;
    }
}
