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
    public static void Save(string dir, Classifier model, CheckpointInfo info, Action<string>? extra = null)
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
            if (Directory.Exists(full))
                foreach (var f in Directory.GetFiles(full))
                    File.Copy(f, Path.Combine(staging, Path.GetFileName(f)), true);
            model.save_safetensors(Path.Combine(staging, WeightsFile));
            info = info with { NumClasses = info.ClassNames.Count, Parameters = model.ParameterCount() };
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

    /// <summary>Whether a folder holds a checkpoint (after recovering from an interrupted swap).</summary>
    public static bool Exists(string dir)
    {
        Recover(dir);
        return File.Exists(Path.Combine(dir, InfoFile)) && File.Exists(Path.Combine(dir, WeightsFile));
    }

    public static CheckpointInfo ReadInfo(string dir)
    {
        Recover(dir);
        var path = Path.Combine(dir, InfoFile);
        if (!Directory.Exists(dir)) throw new LabException($"checkpoint folder '{dir}' not found (train one with: lab train --out {dir})");
        if (!File.Exists(path)) throw new LabException($"'{dir}' is not a checkpoint: {InfoFile} missing");
        var info = Json.ReadFile<CheckpointInfo>(path);
        if (info.Format != CheckpointInfo.CurrentFormat) throw new LabException($"{path}: unknown checkpoint format '{info.Format}'");
        if (info.InputShape is null || info.InputShape.Length != 3) throw new LabException($"{path}: input_shape must have 3 entries (C, H, W)");
        return info;
    }

    /// <summary>Rebuilds the model from model.json and loads the weights; refuses mismatched names or shapes.</summary>
    public static (Classifier Model, CheckpointInfo Info) Load(string dir, Device? device = null)
    {
        NativeRuntime.EnsureLoaded();
        var info = ReadInfo(dir);
        var weights = Path.Combine(dir, WeightsFile);
        if (!File.Exists(weights)) throw new LabException($"'{dir}': {WeightsFile} missing");
        var stored = SafetensorsHeader.Read(weights).ToDictionary(e => e.Name);
        var model = ModelZoo.Create(info.ToSpec());
        try
        {
            var expected = model.state_dict();
            var problems = new List<string>();
            foreach (var (name, t) in expected)
            {
                if (!stored.TryGetValue(name, out var e)) { problems.Add($"missing tensor '{name}'"); continue; }
                if (!e.Shape.SequenceEqual(t.shape))
                    problems.Add($"'{name}' has shape [{string.Join(", ", e.Shape)}] in the file but [{string.Join(", ", t.shape)}] in the {info.Architecture} described by {InfoFile}");
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
