using System.Diagnostics;
using System.Text.Json.Nodes;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// Runs an experiment: for each sweep point of this shard, trains or loads the models (cached by spec hash), then runs
/// every configured stage in registry order. After each stage, results.json and the gallery are rewritten atomically,
/// and the stage's record is saved with a fingerprint of its inputs, so a killed or edited run redoes only what changed.
/// </summary>
public sealed class ExperimentRunner(StageRegistry registry)
{
    public ExperimentRunner() : this(StageRegistry.Default) { }

    /// <summary>Refuses, before anything is written, what this build cannot run.</summary>
    public void Preflight(Experiment experiment, ShardSpec shard)
    {
        var unwired = experiment.Config.Stages.Keys.Select(n => registry.Find(n)!).Where(s => !s.IsWired).ToList();
        if (unwired.Count > 0)
            throw new LabException(string.Join("\n", unwired.Select(s =>
                $"cannot run stage '{s.Name}': {s.NotWiredReason}. Remove the '{s.Name}:' section (or pass --set {s.Name}=null) to run the other stages; `lab config validate` still checks it.")));
        if (shard.Index >= shard.Count) throw new LabException($"shard {shard} is out of range");
        foreach (var p in experiment.Points) ModelStage.Preflight(p.Config);
    }

    public RunResults Run(Experiment experiment, RunOptions options)
    {
        experiment = ResolveDataset(experiment, options.DataDir);
        Preflight(experiment, options.Shard);
        var cancel = options.Cancel;
        var outDir = Path.GetFullPath(options.OutDirectory);
        var points = experiment.PointsOf(options.Shard);
        var existing = File.Exists(RunResults.PathIn(outDir)) ? RunResults.Read(outDir) : null;
        if (existing is not null && existing.Name != experiment.Name)
            throw new LabException($"'{outDir}' holds the results of run '{existing.Name}', not '{experiment.Name}'; choose another --out");
        int threads = options.Threads > 0 ? options.Threads : experiment.Config.Threads;
        if (options.Workers is <= 0) throw new LabException($"workers must be positive, got {options.Workers}");
        var lab = LabContext.Create(experiment.Config.Device, experiment.Config.Seed, threads);
        if (options.Workers is { } workers) lab = lab with { Workers = workers };

        // Load the first point's data before creating anything: a missing dataset leaves no folder behind.
        DataSplits? data = null;
        string? dataKey = null;
        if (points.Count > 0) (data, dataKey) = LoadData(points[0].Config.Dataset, options.DataDir, lab, null, null);
        try
        {
            AtomicFile.EnsureWritableDirectory(outDir);
            // One run per folder at a time; a lock left by a killed run is released by the kernel and taken over.
            using var folderLock = RunLock.Acquire(outDir);
            var clock = Stopwatch.StartNew();
            var results = new RunResults
            {
                Name = experiment.Name,
                Status = "running",
                ConfigHash = experiment.ConfigHash,
                Config = experiment.Config.Resolve().ToJson(),
                TotalPoints = experiment.Points.Count,
                Shard = options.Shard.IsWhole ? null : new ShardInfo(options.Shard.Index, options.Shard.Count),
                Provenance = new RunProvenance
                {
                    Code = Provenance.Capture(lab.Threads),
                    Packages = RunProvenance.PackageVersions(),
                    ConfigFile = experiment.Source,
                    Overrides = options.Overrides,
                    Started = DateTimeOffset.UtcNow,
                },
            };
            Save(outDir, results, options);
            int units = points.Sum(p => 1 + p.Config.Stages.Count), unit = 0;
            try
            {
                foreach (var point in points)
                {
                    cancel.ThrowIfCancellationRequested();
                    var pointDir = experiment.IsSweep ? Path.Combine(outDir, "points", point.Id) : outDir;
                    var pr = new PointResult
                    {
                        Index = point.Index,
                        Label = point.Label,
                        Assignments = point.Assignments,
                        Directory = Path.GetRelativePath(outDir, pointDir).Replace('\\', '/') is "." ? "" : Path.GetRelativePath(outDir, pointDir).Replace('\\', '/'),
                    };
                    results.Points.Add(pr);
                    (data, dataKey) = LoadData(point.Config.Dataset, options.DataDir, lab, data, dataKey);
                    var pointLab = lab with { Seed = point.Config.Seed };
                    string where = experiment.IsSweep ? $"point {point.Index + 1}/{experiment.Points.Count} ({point.Label})" : experiment.Name;

                    var sw = Stopwatch.StartNew();
                    int u0 = unit;
                    var (models, modelOutput, modelRuntime) = ModelStage.Prepare(point.Config, data, pointLab, new ModelCache(options.ResolvedCacheDirectory),
                        StageReporter(options, where, ModelStage.Name, u0, units), cancel);
                    try
                    {
                        pr.Stages[ModelStage.Name] = modelOutput.Data;
                        pr.Views[ModelStage.Name] = modelOutput.View;
                        pr.Runtime[ModelStage.Name] = new StageRuntime { Seconds = Math.Round(sw.Elapsed.TotalSeconds, 3), Details = modelRuntime };
                        unit++;
                        Save(outDir, results, options);

                        foreach (var (name, section) in point.Config.Stages)
                        {
                            cancel.ThrowIfCancellationRequested();
                            var stage = registry.Find(name)!.Create!();
                            var fingerprint = Fingerprint(stage, section, point.Config, models);
                            var recordPath = Path.Combine(pointDir, "stages", name + ".json");
                            var saved = File.Exists(recordPath) ? Json.ReadFile<StageRecord>(recordPath) : null;
                            bool reuse = saved is not null && saved.Fingerprint == fingerprint && saved.Version == stage.Version && stage is not IReadsEarlierStages
                                         && saved.IsIntact
                                         && saved.View.Images.All(i => File.Exists(Path.Combine(outDir, i.Path)));
                            StageRecord record;
                            if (reuse) record = saved!;
                            else
                            {
                                sw.Restart();
                                var context = new StageContext
                                {
                                    Name = name,
                                    Section = section,
                                    Config = point.Config,
                                    Lab = pointLab,
                                    Data = data,
                                    Models = models,
                                    Earlier = new Dictionary<string, System.Text.Json.Nodes.JsonNode?>(pr.Stages),
                                    RunDirectory = outDir,
                                    StageDirectory = Path.Combine(pointDir, "stages", name),
                                    Progress = StageReporter(options, where, name, unit, units),
                                    Cancel = cancel,
                                    Figures = options.Figures,
                                };
                                var output = stage.Run(context);
                                // A stage may stop early on cancellation and return what it has (a fooling search returns
                                // the champions found so far): that result is not the stage's result and is never stored.
                                cancel.ThrowIfCancellationRequested();
                                record = new StageRecord
                                {
                                    Stage = name,
                                    Version = stage.Version,
                                    Fingerprint = fingerprint,
                                    Data = output.Data,
                                    View = output.View,
                                    Seconds = Math.Round(sw.Elapsed.TotalSeconds, 3),
                                };
                                record = record.Sealed();
                                Json.WriteFile(recordPath, record);
                            }
                            pr.Stages[name] = record.Data?.DeepClone();
                            pr.Views[name] = WriteCharts(record.View, Path.Combine(pointDir, "stages", name), outDir, options.Figures);
                            pr.Runtime[name] = new StageRuntime { Seconds = record.Seconds, Reused = reuse, Fingerprint = fingerprint };
                            unit++;
                            Save(outDir, results, options);
                        }
                    }
                    finally
                    {
                        foreach (var m in models.Values) m.Model.Dispose();
                    }
                }
                results = results with { Status = "complete" };
            }
            catch (OperationCanceledException)
            {
                results = results with { Status = "interrupted" };
                throw;
            }
            catch (Exception e)
            {
                results = results with { Status = "failed", Error = e.Message };
                throw;
            }
            finally
            {
                results = results with
                {
                    Provenance = results.Provenance with { Finished = DateTimeOffset.UtcNow, Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3) },
                };
                Save(outDir, results, options);
                options.Progress?.Report(new ExperimentProgress(1, experiment.Name, "", results.Status));
            }
            return results;
        }
        finally
        {
            data?.Dispose();
        }
    }

    /// <summary>
    /// What a stage's result depends on: the stage and its version, its section, the dataset (for a folder, what it
    /// holds), the seed and the exact models (spec hash or checkpoint weights hash). Equal fingerprints mean a saved
    /// result can be reused.
    /// </summary>
    public static string Fingerprint(IExperimentStage stage, object section, ExperimentConfig config, IReadOnlyDictionary<string, TrainedModel> models)
    {
        var o = new JsonObject
        {
            ["stage"] = stage.Name,
            ["version"] = stage.Version,
            ["section"] = ExperimentConfig.SectionJson(section),
            ["dataset"] = config.Dataset?.Identity(),
            ["seed"] = config.Seed,
            ["device"] = config.Device,
            ["models"] = new JsonObject(models.Select(m => new KeyValuePair<string, JsonNode?>(m.Key, m.Value.Record.SpecHash))),
        };
        return ExperimentConfig.HashOf(o.ToJsonString());
    }

    /// <summary>Replaces dataset name 'auto' by the dataset present on this machine, so hashes and results name the real one.</summary>
    public static Experiment ResolveDataset(Experiment experiment, string? dataDir)
    {
        ExperimentConfig Fix(ExperimentConfig c) => c.Dataset is null ? c : c with { Dataset = c.Dataset.ResolveFor(dataDir) };
        return experiment with { Config = Fix(experiment.Config), Points = experiment.Points.Select(p => p with { Config = Fix(p.Config) }).ToList() };
    }

    private static (DataSplits?, string?) LoadData(DatasetConfig? dataset, string? dataDir, LabContext lab, DataSplits? current, string? currentKey)
    {
        var key = dataset is null ? null : Json.Serialize(dataset);
        if (key == currentKey) return (current, key);
        current?.Dispose();
        return (dataset is null ? null : DatasetRegistry.Load(dataset.RegistryName, dataset.ToDataOptions(dataDir), lab.Device), key);
    }

    private static void Save(string outDir, RunResults results, RunOptions options)
    {
        results.Points.Sort((a, b) => a.Index.CompareTo(b.Index));
        results.Write(outDir);
        if (options.WriteGallery) Gallery.WriteRun(outDir, results);
    }

    private static IProgress<StageProgress>? StageReporter(RunOptions options, string point, string stage, int unit, int units)
    {
        if (options.Progress is null) return null;
        var progress = options.Progress;
        return new Reporter(p => progress.Report(new ExperimentProgress((unit + p.Fraction) / Math.Max(1, units), point, stage, p.Status)));
    }

    private sealed class Reporter(Action<StageProgress> action) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => action(value);
    }

    /// <summary>
    /// Writes every chart of a stage's view as a figure (STAGE/chartN.svg and .png, as the run asks), so the curves the
    /// gallery draws inline exist as files too; returns the view with each chart's files named. Also for reused stages:
    /// the files follow the figure options of this run.
    /// </summary>
    private static StageView WriteCharts(StageView view, string stageDirectory, string runDirectory, Reporting.Figures.FigureOutput figures)
    {
        if (view.Curves.Count == 0) return view;
        var charts = view.Curves.Select((chart, i) =>
        {
            var written = Reporting.Figures.FigureWriter.Write(ChartFigure.Build(chart), Path.Combine(stageDirectory, $"chart{i + 1}"), figures);
            return chart with { Files = written.All.Select(f => Path.GetRelativePath(runDirectory, f).Replace('\\', '/')).ToList() };
        }).ToList();
        return view with { Curves = charts };
    }
}
