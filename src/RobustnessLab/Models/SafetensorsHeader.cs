using System.Buffers.Binary;
using System.Text.Json;
using RobustnessLab.Core;

namespace RobustnessLab.Models;

/// <summary>Reads the JSON header of a .safetensors file (names, dtypes, shapes) without loading the data.</summary>
public static class SafetensorsHeader
{
    public sealed record Entry(string Name, string DType, long[] Shape);

    public static IReadOnlyList<Entry> Read(string path)
    {
        using var fs = File.OpenRead(path);
        var lenBytes = new byte[8];
        if (fs.Read(lenBytes, 0, 8) != 8) throw new LabException($"{path}: truncated safetensors file (no header length)");
        long len = BinaryPrimitives.ReadInt64LittleEndian(lenBytes);
        if (len <= 0 || len > 100_000_000 || len > fs.Length - 8) throw new LabException($"{path}: corrupt safetensors header length {len}");
        var header = new byte[len];
        fs.ReadExactly(header, 0, (int)len);
        long dataLength = fs.Length - 8 - len;
        var entries = new List<Entry>();
        try
        {
            using var doc = JsonDocument.Parse(header);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                var dtype = p.Value.GetProperty("dtype").GetString() ?? "?";
                var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[1] > dataLength)
                    throw new LabException($"{path}: tensor '{p.Name}' points past the end of the file (truncated?)");
                entries.Add(new Entry(p.Name, dtype, shape));
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new LabException($"{path}: corrupt safetensors header ({e.Message})", e);
        }
        return entries;
    }
}
