using System.Globalization;
using RobustnessLab.Core;

namespace RobustnessLab.Experiments;

/// <summary>Shard <c>i/N</c> of a run (0-based i): which sweep points this process runs.</summary>
public sealed record ShardSpec(int Index, int Count)
{
    public static readonly ShardSpec Whole = new(0, 1);

    public bool IsWhole => Count == 1;

    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            throw new LabException($"--shard expects i/N with 0 <= i < N (e.g. 0/4), got '{text}'");
        if (n < 1) throw new LabException($"--shard {text}: the shard count must be at least 1");
        if (i >= n) throw new LabException($"--shard {text}: shard index {i} is out of range; shards are numbered 0 to {n - 1}");
        return new ShardSpec(i, n);
    }

    public override string ToString() => $"{Index}/{Count}";
}
