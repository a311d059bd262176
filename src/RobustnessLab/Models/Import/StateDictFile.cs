using System.Buffers.Binary;
using System.Collections;
using System.IO.Compression;
using System.Reflection;
using System.Text.Json;
using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models.Import;

/// <summary>Tensors read from a weights file, after unwrapping, with how they were found.</summary>
/// <param name="Format">"safetensors" or "torch.save".</param>
/// <param name="Wrapper">The key the state dict sat under ("state_dict", "model", ...), or null for a plain state dict.</param>
/// <param name="StrippedPrefix">"module." when DataParallel's prefix was removed, else null.</param>
public sealed record StateDict(IReadOnlyDictionary<string, Tensor> Tensors, string Format, string? Wrapper, string? StrippedPrefix) : IDisposable
{
    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}

/// <summary>
/// Reads PyTorch weights: .safetensors, and torch.save files (.pt, .pth, .bin: the zip format of PyTorch 1.6 and
/// later, unpickled by TorchSharp.PyBridge). Training scripts often save more than a state dict, so the common
/// wrappers are unwrapped here ({"state_dict": ...}, {"model": ...}, and DataParallel's "module." prefix):
/// PyBridge's own <c>load_py</c> expects a bare state dict and fails on them with an InvalidCastException.
/// </summary>
public static class StateDictFile
{
    /// <summary>Keys a wrapped checkpoint keeps its state dict under, tried in this order.</summary>
    public static readonly IReadOnlyList<string> WrapperKeys = ["state_dict", "model", "model_state_dict", "net"];

    public static StateDict Read(string path)
    {
        if (!File.Exists(path)) throw new LabException($"weights file '{path}' not found");
        NativeRuntime.EnsureLoaded();
        bool safetensors = path.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase);
        var (tensors, wrapper) = safetensors ? (ReadSafetensors(path), null) : Unwrap(path, ReadTorchSave(path));
        string? prefix = null;
        if (tensors.Count > 0 && tensors.Keys.All(k => k.StartsWith("module.", StringComparison.Ordinal)))
        {
            prefix = "module.";
            tensors = tensors.ToDictionary(kv => kv.Key["module.".Length..], kv => kv.Value);
        }
        if (tensors.Count == 0) throw new LabException($"{path}: no tensors found");
        return new StateDict(tensors, safetensors ? "safetensors" : "torch.save", wrapper, prefix);
    }

    private static Dictionary<string, Tensor> ReadSafetensors(string path)
    {
        using var fs = File.OpenRead(path);
        var lenBytes = new byte[8];
        if (fs.Read(lenBytes, 0, 8) != 8) throw new LabException($"{path}: truncated safetensors file (no header length)");
        long len = BinaryPrimitives.ReadInt64LittleEndian(lenBytes);
        if (len <= 0 || len > 100_000_000 || len > fs.Length - 8) throw new LabException($"{path}: not a safetensors file (header length {len})");
        var header = new byte[len];
        fs.ReadExactly(header, 0, (int)len);
        long dataStart = 8 + len, dataLength = fs.Length - dataStart;
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(header);
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                if (p.Name == "__metadata__") continue;
                var dtype = p.Value.GetProperty("dtype").GetString() switch
                {
                    "F32" => ScalarType.Float32,
                    "F64" => ScalarType.Float64,
                    "F16" => ScalarType.Float16,
                    "BF16" => ScalarType.BFloat16,
                    "I64" => ScalarType.Int64,
                    "I32" => ScalarType.Int32,
                    "I16" => ScalarType.Int16,
                    "I8" => ScalarType.Int8,
                    "U8" => ScalarType.Byte,
                    "BOOL" => ScalarType.Bool,
                    var other => throw new LabException($"{path}: tensor '{p.Name}' has unsupported dtype {other}"),
                };
                var shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = p.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                if (offsets.Length != 2 || offsets[0] < 0 || offsets[1] < offsets[0] || offsets[1] > dataLength)
                    throw new LabException($"{path}: tensor '{p.Name}' points past the end of the file (truncated?)");
                var t = empty(shape, dtype);
                long bytes = offsets[1] - offsets[0];
                if (bytes != t.NumberOfElements * t.ElementSize)
                    throw new LabException($"{path}: tensor '{p.Name}' has {bytes} bytes for shape [{string.Join(", ", shape)}] {dtype}");
                var buffer = new byte[bytes];
                fs.Position = dataStart + offsets[0];
                fs.ReadExactly(buffer, 0, buffer.Length);
                t.bytes = buffer;
                result[p.Name] = t.DetachFromDisposeScope();
            }
        }
        catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or EndOfStreamException)
        {
            foreach (var t in result.Values) t.Dispose();
            throw new LabException($"{path}: corrupt safetensors file ({e.Message})", e);
        }
        return result;
    }

    private static Hashtable ReadTorchSave(string path)
    {
        // TorchSharp.PyBridge's unpickler is internal; load_py would cast every value to a tensor, which wrapped
        // checkpoints break. Its UnpickleStateDict returns the whole pickled object (nested tables for dicts).
        var type = typeof(TorchSharp.PyBridge.PyBridgeModuleExtensions).Assembly.GetType("TorchSharp.PyBridge.PyTorchUnpickler");
        var method = type?.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .FirstOrDefault(m => m.Name == "UnpickleStateDict" && m.GetParameters() is [var first, ..] && first.ParameterType == typeof(Stream));
        if (method is null) throw new LabException($"{path}: this TorchSharp.PyBridge version has no torch.save reader (PyTorchUnpickler.UnpickleStateDict); convert the file to .safetensors");
        using var stream = File.OpenRead(path);
        // (Stream stream, bool leaveOpen = false, ...): the remaining parameters keep their defaults.
        var args = method.GetParameters().Select((p, i) => i == 0 ? stream : p.HasDefaultValue ? p.DefaultValue : p.ParameterType == typeof(bool) ? false : null).ToArray();
        try
        {
            return method.Invoke(null, args) as Hashtable
                ?? throw new LabException($"{path}: a torch.save file, but it does not hold a dictionary of tensors");
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            var inner = e.InnerException;
            throw inner switch
            {
                NotImplementedException when inner.Message.Contains("old PyTorch format", StringComparison.Ordinal) =>
                    new LabException($"{path}: saved in PyTorch's legacy (pre-1.6) format; re-save it with torch.save(..., _use_new_zipfile_serialization=True) or as .safetensors"),
                NotImplementedException when inner.Message.Contains("entire model", StringComparison.Ordinal) =>
                    new LabException($"{path}: holds a whole pickled model, not a state dict; re-save it with torch.save(model.state_dict(), ...)"),
                InvalidDataException or InvalidCastException or InvalidOperationException or EndOfStreamException or NotImplementedException or Razorvine.Pickle.PickleException =>
                    new LabException($"{path}: not a readable torch.save file ({inner.GetType().Name}: {inner.Message})", inner),
                _ => inner,
            };
        }
    }

    private static (Dictionary<string, Tensor>, string?) Unwrap(string path, Hashtable root)
    {
        static Dictionary<string, Tensor>? Tensors(Hashtable table)
        {
            if (table.Count == 0 || table.Keys.Cast<object>().Any(k => k is not string) || table.Values.Cast<object?>().Any(v => v is not Tensor)) return null;
            return table.Keys.Cast<string>().ToDictionary(k => k, k => (Tensor)table[k]!, StringComparer.Ordinal);
        }
        if (Tensors(root) is { } plain) return (plain, null);
        foreach (var key in WrapperKeys)
            if (root[key] is Hashtable inner && Tensors(inner) is { } wrapped) return (wrapped, key);
        var keys = string.Join(", ", root.Keys.Cast<object>().Select(k => $"'{k}'").Take(8));
        throw new LabException($"{path}: no state dict found (top-level keys: {keys}); expected tensors, or one of {string.Join(", ", WrapperKeys.Select(k => $"'{k}'"))} holding them");
    }
}
