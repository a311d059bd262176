using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models.Import;

/// <summary>What an import did: enough for the CLI to print and a test to check.</summary>
public sealed record ImportResult
{
    public required string Architecture { get; init; }
    public required IReadOnlyDictionary<string, double> Args { get; init; }
    public required int[] InputShape { get; init; }
    public required int NumClasses { get; init; }
    public required int Tensors { get; init; }
    public required long Parameters { get; init; }
    /// <summary>"safetensors" or "torch.save".</summary>
    public required string Format { get; init; }
    public string? Wrapper { get; init; }
    public string? StrippedPrefix { get; init; }
    public required PreprocessInfo Preprocess { get; init; }
    public required double Seconds { get; init; }
}

/// <summary>A model built from imported weights, with its model.json contents; the caller owns (disposes) the model.</summary>
public sealed record ImportedModel(Classifier Model, CheckpointInfo Info, ImportResult Result);

/// <summary>
/// Builds an architecture and fills it with PyTorch weights (names and shapes must match PyTorch's state dict
/// exactly; the first mismatch is reported with the expected shape). <see cref="Checkpoint.Save"/> then writes the
/// normal checkpoint folder every command takes.
/// </summary>
public static class ModelImport
{
    public static ImportedModel Load(ImportOptions options)
    {
        var sw = Stopwatch.StartNew();
        ModelZoo.Get(options.Architecture);
        bool needDefaults = options.InputShape is null || options.Classes is null || options.Mean is null || options.Std is null || options.Preprocess is null;
        var d = needDefaults ? ImportDefaults.For(options.Architecture) : null;
        var inputShape = options.InputShape ?? d!.InputShape;
        var classNames = ClassNames.Resolve(options.Classes ?? d!.Classes);
        var mean = options.Mean ?? d!.Mean;
        var std = options.Std ?? d!.Std;
        if (inputShape.Length == 3 && mean.Length == 1 && inputShape[0] > 1) mean = Enumerable.Repeat(mean[0], inputShape[0]).ToArray();
        if (inputShape.Length == 3 && std.Length == 1 && inputShape[0] > 1) std = Enumerable.Repeat(std[0], inputShape[0]).ToArray();
        var spec = ModelZoo.Spec(options.Architecture, inputShape, classNames, mean, std, options.Args);
        var preprocess = PreprocessInfo.Parse(options.Preprocess ?? d!.Preprocess, Math.Min(inputShape[1], inputShape[2]));

        using var weights = StateDictFile.Read(options.WeightsPath);
        var model = ModelZoo.Create(spec);
        try
        {
            Fill(model, weights, options.WeightsPath, spec);
            model.eval();
            var info = CheckpointInfo.FromSpec(spec) with
            {
                Preprocess = preprocess,
                Training = new System.Text.Json.Nodes.JsonObject { ["imported_from"] = Path.GetFullPath(options.WeightsPath), ["format"] = weights.Format },
            };
            var result = new ImportResult
            {
                Architecture = spec.Architecture,
                Args = spec.Args,
                InputShape = spec.InputShape,
                NumClasses = spec.NumClasses,
                Tensors = weights.Tensors.Count,
                Parameters = model.ParameterCount(),
                Format = weights.Format,
                Wrapper = weights.Wrapper,
                StrippedPrefix = weights.StrippedPrefix,
                Preprocess = preprocess,
                Seconds = sw.Elapsed.TotalSeconds,
            };
            return new ImportedModel(model, info, result);
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Imports and writes the checkpoint folder (model.json + model.safetensors) atomically.</summary>
    public static ImportResult Run(ImportOptions options, string outDirectory)
    {
        var imported = Load(options);
        using var model = imported.Model;
        Checkpoint.Save(outDirectory, model, imported.Info);
        return imported.Result;
    }

    private static void Fill(Classifier model, StateDict weights, string path, ModelSpec spec)
    {
        const string prefix = "net.";
        var file = Path.GetFileName(path);
        var what = $"{spec.Architecture}{(spec.Args.Count > 0 ? " (" + string.Join(", ", spec.Args.Select(a => $"{a.Key}={a.Value}")) + ")" : "")} with {spec.NumClasses} classes";
        var expected = model.state_dict().Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .Select(kv => (Name: kv.Key[prefix.Length..], Target: kv.Value)).ToList();
        foreach (var (name, target) in expected)
        {
            if (!weights.Tensors.TryGetValue(name, out var source))
                throw new LabException($"{file}: tensor '{name}' of shape [{string.Join(", ", target.shape)}] that {what} expects is missing ({weights.Tensors.Count} tensors in the file, e.g. '{weights.Tensors.Keys.First()}'): weights for another architecture?");
            // A 0-dim tensor (BatchNorm's num_batches_tracked) may come back from torch.save as shape [1].
            bool scalar = target.dim() == 0 && source.numel() == 1;
            if (!scalar && !source.shape.SequenceEqual(target.shape))
                throw new LabException($"{file}: tensor '{name}' has shape [{string.Join(", ", source.shape)}], {what} expects [{string.Join(", ", target.shape)}]");
        }
        var known = expected.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var extra = weights.Tensors.Keys.FirstOrDefault(k => !known.Contains(k));
        if (extra is not null)
            throw new LabException($"{file}: tensor '{extra}' is not part of {what} ({weights.Tensors.Keys.Count(k => !known.Contains(k))} unexpected tensors)");
        using var _ = no_grad();
        foreach (var (name, target) in expected)
        {
            var source = weights.Tensors[name];
            using var reshaped = source.reshape(target.shape);
            target.copy_(reshaped);
        }
    }
}
