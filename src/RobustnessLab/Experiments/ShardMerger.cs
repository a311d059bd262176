using RobustnessLab.Core;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// Merges the result folders of the shards of one run into one run folder: the same results.json (but for provenance)
/// and gallery as a single-machine run. Refuses shards of different configs, missing or duplicate shards, shards
/// that did not finish or that a run still holds, and an output folder in use; copies no lock or temporary file.
/// </summary>
public static class ShardMerger
{
    public static RunResults Merge(IReadOnlyList<string> shardDirectories, string outDirectory)
    {
        if (shardDirectories.Count == 0) throw new LabException("lab merge needs at least one shard folder");
        var shards = shardDirectories.Select(d => (Dir: Path.GetFullPath(d), Results: RunResults.Read(d))).ToList();
        var first = shards[0].Results;
        foreach (var (dir, r) in shards)
        {
            if (r.ConfigHash != first.ConfigHash || r.Name != first.Name)
                throw new LabException($"'{dir}' holds run '{r.Name}' (config {r.ConfigHash}), but '{shards[0].Dir}' holds '{first.Name}' (config {first.ConfigHash}); merge shards of one run only");
            if (r.Status != "complete")
                throw new LabException($"'{dir}' is {r.Status}{(r.Error is null ? "" : $" ({r.Error})")}; run that shard again (it resumes) before merging");
        }
        int count = first.Shard?.Count ?? 1;
        var problems = new List<string>();
        if (shards.Any(s => (s.Results.Shard?.Count ?? 1) != count)) problems.Add("the folders come from different shard counts");
        var indices = shards.Select(s => s.Results.Shard?.Index ?? 0).ToList();
        var duplicate = indices.GroupBy(i => i).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) problems.Add($"shard {duplicate.Key}/{count} is given twice");
        var missing = Enumerable.Range(0, count).Except(indices).ToList();
        if (missing.Count > 0) problems.Add($"missing shard{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing.Select(i => $"{i}/{count}"))}");
        if (problems.Count > 0) throw new LabException("cannot merge: " + string.Join("; ", problems));
        var points = shards.SelectMany(s => s.Results.Points.Select(p => (s.Dir, Point: p))).OrderBy(p => p.Point.Index).ToList();
        if (points.Count != first.TotalPoints || points.Select(p => p.Point.Index).Distinct().Count() != points.Count)
            throw new LabException($"cannot merge: the shards hold {points.Count} points, the run has {first.TotalPoints}");

        var outDir = Path.GetFullPath(outDirectory);
        if (shards.Any(s => s.Dir == outDir)) throw new LabException("merge into a new folder, not into one of the shards");
        // A shard that a `lab run` is still writing (resubmitted, say) is not finished, whatever its results.json says.
        foreach (var (dir, _) in shards) RunLock.ThrowIfHeld(dir, "wait for that run to finish, then merge");
        AtomicFile.EnsureWritableDirectory(outDir);
        // The merged folder is a run folder: no `lab run` or other merge writes it meanwhile.
        using var outLock = RunLock.Acquire(outDir);
        // Point folders first, results.json and the gallery last: until then the folder has no (or its old) results.
        foreach (var (dir, point) in points)
        {
            if (point.Directory.Length > 0) CopyDirectory(Path.Combine(dir, point.Directory), Path.Combine(outDir, point.Directory));
            else if (Directory.Exists(Path.Combine(dir, "stages"))) CopyDirectory(Path.Combine(dir, "stages"), Path.Combine(outDir, "stages"));
        }
        var ordered = shards.OrderBy(s => s.Results.Shard?.Index ?? 0).Select(s => s.Results.Provenance).ToList();
        var merged = first with
        {
            Status = "complete",
            Shard = null,
            Points = points.Select(p => p.Point).ToList(),
            Provenance = ordered[0] with
            {
                Started = ordered.Min(p => p.Started),
                Finished = ordered.Max(p => p.Finished),
                Seconds = ordered.Sum(p => p.Seconds),
                Shards = ordered,
            },
        };
        merged.Write(outDir);
        Gallery.WriteRun(outDir, merged);
        return merged;
    }

    /// <summary>Copies a folder through a staging copy and a rename, replacing any previous copy.</summary>
    private static void CopyDirectory(string source, string target)
    {
        var staging = target + ".merging-" + Environment.ProcessId;
        if (Directory.Exists(staging)) Directory.Delete(staging, true);
        foreach (var file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(source, file);
            var name = Path.GetFileName(file);
            // Half-written files of an atomic write, and a run's lock and holder files, belong to the shard's process.
            if (name.StartsWith('.') && name.EndsWith(".tmp", StringComparison.Ordinal)) continue;
            if (name is RunLock.LockFile or RunLock.HolderFile) continue;
            var dest = Path.Combine(staging, rel);
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(file, dest);
        }
        Directory.CreateDirectory(staging);
        if (Directory.Exists(target)) Directory.Delete(target, true);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        Directory.Move(staging, target);
    }
}
