using System.Security.Cryptography;
using RobustnessLab.Core;
using TorchSharp;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// A checkpoint is a folder: model.safetensors (PyTorch-style tensor names) and model.json
/// (<see cref="CheckpointInfo"/>), plus whatever extra files the writer adds (optimizer state, logs).
/// The whole folder is written in a staging folder and swapped in, so a killed run leaves either the previous
/// checkpoint or the new one, never half of each.
/// </summary>
public static class Checkpoint
{
    public const string WeightsFile = "model.safetensors";
    public const string InfoFile = "model.json";

    /// <summary>Writes a checkpoint folder atomically. <paramref name="extra"/> may add files to the staging folder.</summary>
    /// <param name="keepOtherFiles">Carry over files of the folder's previous content that other writers own (figures);
    /// false for the first save of a new model, so no metadata of the model it replaces stays beside the new weights.</param>
    public static void Save(string dir, Classifier model, CheckpointInfo info, Action<string>? extra = null, bool keepOtherFiles = true)
    {
        var full = Path.GetFullPath(dir.TrimEnd('/', '\\'));
        var parent = Path.GetDirectoryName(full)!;
        AtomicFile.EnsureWritableDirectory(parent);
        var staging = full + ".staging-" + Environment.ProcessId;
        var old = full + ".old-" + Environment.ProcessId;
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        Directory.CreateDirectory(staging);
        try
        {
            // Keep files that other writers own (e.g. figures written into the folder), then overwrite ours.
            if (keepOtherFiles && Directory.Exists(full))
                foreach (var f in Directory.GetFiles(full))
                    File.Copy(f, Path.Combine(staging, Path.GetFileName(f)), true);
            model.save_safetensors(Path.Combine(staging, WeightsFile));
            info = info with { NumClasses = info.ClassNames.Count, Parameters = model.ParameterCount(), WeightsSha256 = Sha256(Path.Combine(staging, WeightsFile)) };
            File.WriteAllText(Path.Combine(staging, InfoFile), Json.Serialize(info) + "\n");
            extra?.Invoke(staging);
            if (Directory.Exists(full)) Directory.Move(full, old);
            Directory.Move(staging, full);
            if (Directory.Exists(old)) Directory.Delete(old, true);
        }
        catch
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            if (!Directory.Exists(full) && Directory.Exists(old)) Directory.Move(old, full);
            throw;
        }
    }

    /// <summary>
    /// Refuses, before any work, an output folder a training run must not write: a file, or a finished checkpoint that
    /// would be replaced without <paramref name="force"/> (resuming it is what <paramref name="resume"/> is for).
    /// </summary>
    public static void CheckOutput(string dir, bool resume, bool force)
    {
        if (File.Exists(dir)) throw new LabUsageException($"--out '{dir}' is a file; a checkpoint is a folder");
        if (resume || force || !Exists(dir)) return;
        var info = ReadInfo(dir);
        var accuracy = info.Metrics.TryGetValue("test_accuracy", out var a) ? $", test accuracy {a.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)}" : "";
        throw new LabUsageException($"--out '{dir}' already holds a checkpoint ({info.Architecture}, epoch {info.Epoch}{accuracy}); pass --resume to continue it or --force to replace it");
    }

    /// <summary>Whether a folder holds a checkpoint (after recovering from an interrupted swap).</summary>
    public static bool Exists(string dir)
    {
        dir = Folder(dir);
        Recover(dir);
        return File.Exists(Path.Combine(dir, InfoFile)) && File.Exists(Path.Combine(dir, WeightsFile));
    }

    public static CheckpointInfo ReadInfo(string dir)
    {
        dir = Folder(dir);
        Recover(dir);
        var path = Path.Combine(dir, InfoFile);
        if (!Directory.Exists(dir)) throw new LabException($"checkpoint folder '{dir}' not found (train one with: lab train --out {dir})");
        if (!File.Exists(path)) throw new LabException($"'{dir}' is not a checkpoint: {InfoFile} missing");
        var info = Json.ReadFile<CheckpointInfo>(path);
        if (info.Format != CheckpointInfo.CurrentFormat) throw new LabException($"{path}: unknown checkpoint format '{info.Format}'");
        if (info.InputShape is null || info.InputShape.Length != 3 || info.InputShape.Any(d => d <= 0 || d > 100_000))
            throw new LabException($"{path}: input_shape must be 3 positive sizes (C, H, W)");
        if (info.ClassNames is null || info.ClassNames.Count < 2) throw new LabException($"{path}: class_names must list at least 2 classes");
        var norm = info.Normalization;
        if (norm?.Mean is null || norm.Std is null || norm.Mean.Length != info.InputShape[0] || norm.Std.Length != info.InputShape[0])
            throw new LabException($"{path}: normalization needs one mean and one std per input channel ({info.InputShape[0]})");
        if (norm.Mean.Any(v => !float.IsFinite(v))) throw new LabException($"{path}: normalization.mean must be finite numbers, got [{string.Join(", ", norm.Mean)}]");
        if (norm.Std.Any(v => !(v > 0) || !float.IsFinite(v)))
            throw new LabException($"{path}: normalization.std must be positive finite numbers (inputs are divided by it), got [{string.Join(", ", norm.Std)}]");
        return info;
    }

    /// <summary>Rebuilds the model from model.json and loads the weights; refuses mismatched names or shapes.</summary>
    public static (Classifier Model, CheckpointInfo Info) Load(string dir, Device? device = null)
    {
        NativeRuntime.EnsureLoaded();
        dir = Folder(dir);
        var info = ReadInfo(dir);
        var weights = Path.Combine(dir, WeightsFile);
        if (!File.Exists(weights)) throw new LabException($"'{dir}': {WeightsFile} missing");
        if (info.WeightsSha256 is { } expectedHash && Sha256(weights) is var actualHash && actualHash != expectedHash)
            throw new LabException($"{weights}: SHA-256 {actualHash[..16]}... does not match weights_sha256 {expectedHash[..Math.Min(16, expectedHash.Length)]}... in {InfoFile}: " +
                                   "the weights changed after they were saved (corrupt copy or disk); restore the folder or train again");
        var stored = SafetensorsHeader.Read(weights).ToDictionary(e => e.Name);
        Classifier model;
        try { model = ModelZoo.Create(info.ToSpec()); }
        catch (LabException e) { throw new LabException($"{Path.Combine(dir, InfoFile)}: {e.Message}", e); }
        try
        {
            var expected = model.state_dict();
            var problems = new List<string>();
            foreach (var (name, t) in expected)
            {
                if (!stored.TryGetValue(name, out var e)) { problems.Add($"missing tensor '{name}'"); continue; }
                if (!e.Shape.SequenceEqual(t.shape))
                    problems.Add($"'{name}' has shape [{string.Join(", ", e.Shape)}] in the file but [{string.Join(", ", t.shape)}] in the {info.Architecture} described by {InfoFile}");
                else if (e.DType != DTypeName(t.dtype))
                    problems.Add($"'{name}' is {e.DType} in the file but {DTypeName(t.dtype)} in the model");
            }
            foreach (var name in stored.Keys.Where(n => !expected.ContainsKey(n))) problems.Add($"unexpected tensor '{name}'");
            if (problems.Count > 0)
                throw new LabException($"checkpoint '{dir}': {WeightsFile} does not match {InfoFile}: {string.Join("; ", problems.Take(5))}{(problems.Count > 5 ? $"; and {problems.Count - 5} more" : "")}");
            model.load_safetensors(weights, strict: true);
            if (device is not null) model.to(device);
            model.eval();
            return (model, info);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>The checkpoint folder of a path that names the folder or one of its two files (model.json, model.safetensors).</summary>
    public static string Folder(string path) =>
        File.Exists(path) && Path.GetFileName(path) is InfoFile or WeightsFile ? Path.GetDirectoryName(Path.GetFullPath(path))! : path;

    /// <summary>Lower-case hex SHA-256 of a file.</summary>
    public static string Sha256(string path)
    {
        using var fs = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(fs));
    }

    private static string DTypeName(ScalarType t) => t switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float64 => "F64",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => t.ToString(),
    };

    private static void Recover(string dir)
    {
        var full = Path.GetFullPath(dir.TrimEnd('/', '\\'));
        if (Directory.Exists(full)) return;
        var parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent)) return;
        var old = Directory.GetDirectories(parent, Path.GetFileName(full) + ".old-*").FirstOrDefault();
        if (old is not null) Directory.Move(old, full);
    }
}
