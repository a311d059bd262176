using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Training;

namespace RobustnessLab.Dumbbell;

/// <summary>
/// "A dumbbell always has an arm attached" (Mordvintsev, Olah, Tyka 2015, "Inceptionism") as a controlled experiment:
/// the same cnn, same seed, trained on biased gym scenes (dumbbells held 95% of the time, nothing else held) and on
/// debiased ones (every class held at the same rate). For each model: class visualisations over several seeds, what an
/// independent judge (<see cref="DumbbellJudge"/>) reads in them and how much arm it sees in the dumbbell pictures
/// (<see cref="DumbbellMeasurement"/>), and counterfactual probes on fresh renders, paired with and without the arm
/// (<see cref="DumbbellProbes"/>), judged against <see cref="DumbbellTargets"/>.
/// This is the capability's one entry point for <c>lab dumbbell</c>, the <c>dumbbell:</c> stage and library callers:
/// it returns the record and writes nothing but the checkpoints (when <see cref="DumbbellOptions.OutputDir"/> is
/// set); <c>Reporting.DumbbellFigures</c> turns the record into sheets and dumbbell.json.
/// </summary>
public static class DumbbellExperiment
{
    private const int Stages = 5;

    /// <summary>Checkpoint folders inside <see cref="DumbbellOptions.OutputDir"/>.</summary>
    public const string BiasedModelFolder = "biased-model", DebiasedModelFolder = "debiased-model", ArmDetectorFolder = "arm-detector",
        ArmDetectorControlFolder = "arm-detector-control", JudgeFolder = "judge", PriorFolder = "prior";

    /// <summary>
    /// The scenes the two models learn from: the same renders but for the arms. Biased: a dumbbell is held with
    /// <see cref="DumbbellOptions.PDumbbellArm"/>, any other object with <see cref="DumbbellOptions.POtherArm"/>;
    /// debiased: every object with <see cref="DumbbellOptions.PArm"/>.
    /// </summary>
    public static (GymOptions Biased, GymOptions Debiased) Data(DumbbellOptions options)
    {
        var biased = new GymOptions { Size = options.Size, Variant = GymVariant.Biased, PDumbbellArm = options.PDumbbellArm, POtherArm = options.POtherArm, Train = options.Train, Validation = 0, Test = options.Test };
        return (biased, biased with { Variant = GymVariant.Debiased, PArm = options.PArm });
    }

    /// <summary>
    /// Runs the experiment. Paths in the record (checkpoints, <see cref="DumbbellReport.Files"/>) are relative to
    /// <see cref="DumbbellOptions.OutputDir"/>, which the record holds as ".", so the record reads the same wherever it was
    /// written.
    /// </summary>
    public static DumbbellReport Run(DumbbellOptions options, LabContext context, IProgress<DumbbellProgress>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        if (options.OutputDir is not null) AtomicFile.EnsureWritableDirectory(options.OutputDir);
        var sw = Stopwatch.StartNew();
        // Wall seconds of each part, in the order they ran (what a researcher trims when a run is too slow).
        var stageSeconds = new Dictionary<string, double>();
        double lap = 0;
        void Lap(string part)
        {
            double now = sw.Elapsed.TotalSeconds;
            stageSeconds[part] = now - lap;
            lap = now;
        }
        var classes = GymScenes.ClassNames;
        int k = classes.Count;
        string? Dir(string name) => options.OutputDir is null ? null : Path.Combine(options.OutputDir, name);

        var (biasedData, debiasedData) = Data(options);

        // 1-2. The two models: same architecture, same seed, same scenes; only the arms differ.
        IProgress<TrainingProgress>? Training(int stage, string name)
        {
            if (progress is null) return null;
            progress.Report(new DumbbellProgress(stage, Stages, 0, $"rendering {name} scenes"));
            return new SyncProgress<TrainingProgress>(p => progress.Report(new DumbbellProgress(stage, Stages,
                ((p.Epoch - 1) * p.StepsPerEpoch + p.Step) / (double)(p.Epochs * p.StepsPerEpoch), $"train {name}: epoch {p.Epoch}/{p.Epochs} acc {p.Accuracy:P1}")));
        }
        var biased = DumbbellModels.Train("biased", biasedData, options, context, Dir(BiasedModelFolder), Training(1, "biased"), cancel);
        using var _b = biased.Model;
        Lap("biased_model");
        var debiased = DumbbellModels.Train("debiased", debiasedData, options, context, Dir(DebiasedModelFolder), Training(2, "debiased"), cancel);
        using var _u = debiased.Model;
        Lap("debiased_model");

        // 3. With generator pictures, the prior they are drawn through (the judge learns to read its drawings too).
        bool generator = options.VisMethod == "generator";
        using var prior = generator
            ? DumbbellModels.TrainPrior(options, context.Device, Dir(PriorFolder), progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(3, Stages, 0, s)), cancel)
            : null;
        if (prior is not null) Lap("prior");

        // 3. The judge, trained apart from both models on renders alone (object and arm independent), adversarially;
        // and the arm detector of earlier versions, reported beside it (see ArmDetector for why it also sees visualisations).
        var judge = options.Judge
            ? DumbbellJudge.Train(options, context, Dir(JudgeFolder),
                progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(3, Stages, options.Detector ? f / 2 : f, s)), cancel, prior)
            : null;
        using var _j = judge?.Model;
        if (judge is not null) Lap("judge");
        var det = options.Detector
            ? ArmDetector.Train(options, context, Dir(ArmDetectorFolder), Dir(ArmDetectorControlFolder),
                progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(3, Stages, options.Judge ? 0.5 + f / 2 : f, s)), cancel)
            : null;
        using var detector = det?.Model;
        if (det is not null) Lap("arm_detector");

        // 4-5. Visualisations, arm scores and probes.
        var seeds = Enumerable.Range(0, options.VisSeeds).Select(i => (int)(LabContext.DeriveSeed(options.Seed, 0xD0 + i) & 0x7fffffff)).ToArray();
        using var starts = options.VisMethod switch
        {
            "synthesis" => DumbbellModels.SynthesisStarts(options, seeds, context.Device),
            "generator" => DumbbellModels.GeneratorStarts(options, seeds, context.Device),
            _ => null,
        };
        var visB = DumbbellModels.VisualizeAll(biased.Model, options, seeds, [],
            progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(4, Stages, f / 2, "visualise biased " + s)), cancel, starts, prior);
        Lap("visualise_biased");
        var visD = DumbbellModels.VisualizeAll(debiased.Model, options, seeds, [],
            progress is null ? null : (f, s) => progress.Report(new DumbbellProgress(4, Stages, 0.5 + f / 2, "visualise debiased " + s)), cancel, starts, prior);
        Lap("visualise_debiased");

        progress?.Report(new DumbbellProgress(5, Stages, 0, "arm scores and probes"));
        var throughPrior = prior is not null && judge is not null ? DumbbellJudge.ObjectAccuracyThroughPrior(judge.Model, prior, options) : ((double, double)?)null;
        var probes = DumbbellProbes.Render(options);
        var reportB = DumbbellMeasurement.Measure(biased with { Checkpoint = Relative(BiasedModelFolder) }, visB, judge?.Model, detector, probes, options);
        var reportD = DumbbellMeasurement.Measure(debiased with { Checkpoint = Relative(DebiasedModelFolder) }, visD, judge?.Model, detector, probes, options);
        Lap("measure");

        var files = new Dictionary<string, string>();
        if (options.OutputDir is not null)
        {
            files["biased_model"] = BiasedModelFolder;
            files["debiased_model"] = DebiasedModelFolder;
            if (judge is not null) files["judge"] = JudgeFolder;
            if (prior is not null) files["prior"] = PriorFolder;
            if (det is not null)
            {
                files["arm_detector"] = ArmDetectorFolder;
                files["arm_detector_control"] = ArmDetectorControlFolder;
            }
        }
        double chance = 1.0 / k;
        return new DumbbellReport
        {
            Options = options.OutputDir is null ? options : options with { OutputDir = "." },
            ClassNames = classes,
            Chance = chance,
            Biased = reportB,
            Debiased = reportD,
            JudgeObjectAccuracy = judge?.ObjectAccuracy,
            JudgeArmAccuracy = judge?.ArmAccuracy,
            JudgeRobustObjectAccuracy = judge?.RobustObjectAccuracy,
            JudgeObjectAccuracyPlainFloor = judge?.ObjectAccuracyPlainFloor,
            JudgeObjectAccuracyNoiseFloor = judge?.ObjectAccuracyNoiseFloor,
            ArmDetectorAccuracy = det?.RenderAccuracy,
            ArmDetectorVisFalsePositiveRate = det?.VisFalsePositiveRate,
            ArmDetectorVisTruePositiveRate = det?.VisTruePositiveRate,
            ControlAccuracy = det?.ControlAccuracy,
            PriorReconstructionError = prior?.ReconstructionError,
            PriorMeanImageError = prior?.MeanImageError,
            PriorSeconds = prior?.Seconds,
            JudgeObjectAccuracyPriorRenders = throughPrior?.Item1,
            JudgeObjectAccuracyPriorReconstructions = throughPrior?.Item2,
            Targets = DumbbellTargets.Evaluate(reportB, reportD, judge),
            Files = files,
            Seconds = sw.Elapsed.TotalSeconds,
            StageSeconds = stageSeconds,
        };

        string Relative(string folder) => options.OutputDir is null ? "" : folder;
    }
}
