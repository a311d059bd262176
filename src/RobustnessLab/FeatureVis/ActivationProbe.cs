using RobustnessLab.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Records the outputs of chosen submodules, found by path ("net.3", as in the state dict), through forward hooks.
/// Hooks fire only when modules run through <c>call()</c> (TorchSharp's <c>forward()</c> skips them), which is how
/// <see cref="Models.Classifier"/> runs its layers. Dispose removes every hook and forgets the activations.
/// </summary>
public sealed class ActivationProbe : IDisposable
{
    private readonly List<Action> hooks = [];
    private readonly Dictionary<string, Tensor> captured = new(StringComparer.Ordinal);
    private bool disposed;

    public ActivationProbe(nn.Module model, IEnumerable<string> paths)
    {
        var modules = model.named_modules().Where(p => p.name.Length > 0).ToDictionary(p => p.name, p => p.module, StringComparer.Ordinal);
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            if (!modules.TryGetValue(path, out var module) || module is not nn.Module<Tensor, Tensor> hookable)
                throw new LabException($"unknown layer path '{path}'; valid: {string.Join(", ", ValidPaths(model))}");
            string key = path;
            var handle = hookable.register_forward_hook((_, _, output) =>
            {
                // The module's output belongs to a dispose scope inside the model's forward; keep a differentiable
                // alias outside it (owned by the probe until the next pass or Clear).
                var kept = output.alias().DetachFromDisposeScope();
                if (captured.TryGetValue(key, out var old)) old.Dispose();
                captured[key] = kept;
                Captures++;
                return output;
            });
            hooks.Add(handle.remove);
            Paths.Add(path);
        }
    }

    /// <summary>The hooked paths.</summary>
    public List<string> Paths { get; } = [];

    /// <summary>How many activations the hooks have recorded so far (stops growing after Dispose).</summary>
    public long Captures { get; private set; }

    /// <summary>How many hooks this probe has in place (0 after Dispose).</summary>
    public int HookCount => hooks.Count;

    /// <summary>The module paths a probe can hook in a model (tensor-to-tensor modules), in model order.</summary>
    public static IReadOnlyList<string> ValidPaths(nn.Module model) =>
        model.named_modules().Where(p => p.name.Length > 0 && p.module is nn.Module<Tensor, Tensor>).Select(p => p.name).ToList();

    /// <summary>The activation recorded at a path in the last forward pass (owned by the probe: do not dispose it).</summary>
    public Tensor this[string path]
    {
        get
        {
            ObjectDisposedException.ThrowIf(disposed, this);
            if (!captured.TryGetValue(path, out var t))
                throw new LabException(Paths.Contains(path)
                    ? $"layer '{path}' did not run: call the model with call(), not forward(), after creating the probe"
                    : $"layer '{path}' is not hooked by this probe (hooked: {string.Join(", ", Paths)})");
            return t;
        }
    }

    /// <summary>Forgets the recorded activations (before the next forward pass).</summary>
    public void Clear()
    {
        foreach (var t in captured.Values) t.Dispose();
        captured.Clear();
    }

    public void Dispose()
    {
        if (disposed) return;
        foreach (var remove in hooks) remove();
        hooks.Clear();
        Clear();
        disposed = true;
    }
}
