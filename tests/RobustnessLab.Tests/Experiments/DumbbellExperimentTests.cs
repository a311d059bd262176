using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Dumbbell;
using RobustnessLab.Reporting;
using TorchSharp;

namespace RobustnessLab.Tests.Experiments;

public class DumbbellExperimentTests
{
    public static IEnumerable<TestCaseData> BadOptions()
    {
        yield return new TestCaseData(DumbbellOptions.Quick with { PDumbbellArm = 1.5 }, "p_dumbbell_arm");
        yield return new TestCaseData(DumbbellOptions.Quick with { PArm = -0.1 }, "p_arm");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisSteps = 0 }, "vis steps");
        yield return new TestCaseData(DumbbellOptions.Quick with { Size = 8 }, "size");
        yield return new TestCaseData(DumbbellOptions.Quick with { Architecture = "vgg" }, "architecture");
        yield return new TestCaseData(DumbbellOptions.Quick with { JudgeArchitecture = "vgg" }, "judge architecture must be cnn or resnet, got 'vgg'");
        yield return new TestCaseData(DumbbellOptions.Quick with { JudgeWidth = 0 }, "judge width and judge hidden must be positive, got 0 and 128");
        yield return new TestCaseData(DumbbellOptions.Quick with { DetectorHeldOutSeeds = 0 }, "detector visualisation seeds");
        yield return new TestCaseData(DumbbellOptions.Quick with { Objective = "fgsm" }, "objective");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisParameterization = "cppn" }, "parametrisation");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisDiversity = -1 }, "diversity");
        yield return new TestCaseData(DumbbellOptions.Quick with { JudgeTrain = 10 }, "judge");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisMethod = "deepdream" }, "vis method");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisStart = "noise" }, "vis start");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisEpsilon = 0 }, "vis epsilon");
        yield return new TestCaseData(DumbbellOptions.Quick with { JudgeNoiseShare = 1.5 }, "judge noise share");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisMethod = "generator", Size = 36 }, "multiples of 8, got size 36");
        yield return new TestCaseData(DumbbellOptions.Quick with { PriorWeight = -1 }, "prior weight");
        yield return new TestCaseData(DumbbellOptions.Quick with { JudgeAdversarialSteps = 0 }, "adversarial steps positive");
        yield return new TestCaseData(DumbbellOptions.Quick with { Dropout = 1 }, "dropout");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisGeneratorTemperature = 0 }, "vis generator temperature must be positive");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisGeneratorStartWeight = -0.5 }, "vis generator start weight must be >= 0 and finite, got -0.5");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisGeneratorManifoldWeight = double.NaN }, "vis generator manifold weight must be >= 0 and finite");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisRefineManifoldWeight = -1 }, "vis refine manifold weight must be >= 0 and finite, got -1");
        yield return new TestCaseData(DumbbellOptions.Quick with { PriorPlainFloorShare = 1.5 }, "prior plain floor share must be in [0, 1], got 1.5");
        yield return new TestCaseData(DumbbellOptions.Quick with { PriorEdgeWeight = -2 }, "prior edge weight must be >= 0 and finite, got -2");
        yield return new TestCaseData(DumbbellOptions.Quick with { PriorWidth = 0 }, "prior width must be positive and prior code noise >= 0 and finite, got 0 and 0.1");
        yield return new TestCaseData(DumbbellOptions.Quick with { POtherArm = 1 }, "p_other_arm must be in [0, p_dumbbell_arm) for the biased set to favour dumbbells, got 1 (p_dumbbell_arm 1)");
        yield return new TestCaseData(new DumbbellOptions { POtherArm = -0.01 }, "p_other_arm must be in [0, p_dumbbell_arm)");
        yield return new TestCaseData(DumbbellOptions.Quick with { PriorLearningRate = 0 }, "prior learning rate must be positive and finite and prior batch size positive, got 0 and 64");
        yield return new TestCaseData(DumbbellOptions.Quick with { PriorBatchSize = 0 }, "prior batch size positive, got 0.001 and 0");
        yield return new TestCaseData(DumbbellOptions.Quick with { JudgeBatchSize = -64 }, "judge batch size must be 0 (the experiment's) or positive, got -64");
        yield return new TestCaseData(DumbbellOptions.Quick with { PriorSchedule = "warm" }, "prior schedule must be one of constant, step, cosine, onecycle, got 'warm'");
        yield return new TestCaseData(DumbbellOptions.Quick with { VisGeneratorObjective = "probability" }, "vis generator objective must be log-probability or logit");
    }

    /// <summary>
    /// The two sets are the same scenes but for the arms: the biased set holds dumbbells at p_dumbbell_arm and every other
    /// object at p_other_arm, the debiased set every object at p_arm.
    /// </summary>
    [Test]
    public void TheTwoSetsDifferOnlyInTheirArms()
    {
        var o = new DumbbellOptions { POtherArm = 0.02 };
        var (biased, debiased) = DumbbellExperiment.Data(o);
        int k = GymScenes.ClassNames.Count;
        var rows = Enumerable.Range(0, 600).Select(i => (B: GymScenes.Request(biased, 5, i), U: GymScenes.Request(debiased, 5, i))).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(biased.ArmProbability(GymScenes.DumbbellIndex), Is.EqualTo(0.95));
            Assert.That(Enumerable.Range(1, k - 1).Select(biased.ArmProbability), Has.All.EqualTo(0.02));
            Assert.That(Enumerable.Range(0, k).Select(debiased.ArmProbability), Has.All.EqualTo(o.PArm));
            Assert.That(rows.Select(r => r.B with { Arm = false }), Is.EqualTo(rows.Select(r => r.U with { Arm = false })), "the same scenes");
            Assert.That(rows.Count(r => r.B.Arm != r.U.Arm), Is.GreaterThan(100), "with other arms");
            Assert.That(DumbbellExperiment.Data(new DumbbellOptions()).Biased.ArmProbability(1), Is.EqualTo(new DumbbellOptions().POtherArm), "the default reaches the set");
        }
    }

    /// <summary>
    /// Synthesis from "render" starts: each start is the arm-free render the generator's pictures start from, at the
    /// pictures' size, so the two models edit the same sharp scene and any arm is the model's.
    /// </summary>
    [Test]
    public void RenderStartsAreTheArmFreeRendersAtThePicturesSize()
    {
        var o = new DumbbellOptions { VisMethod = "synthesis", VisStart = "render", VisImageSize = 64 };
        int[] seeds = [0, 1];
        using var starts = DumbbellModels.SynthesisStarts(o, seeds, TorchSharp.torch.CPU);
        using var renders = DumbbellModels.GeneratorStarts(o, seeds, TorchSharp.torch.CPU);
        using var down = TorchSharp.torch.nn.functional.avg_pool2d(starts, 2);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(starts.shape, Is.EqualTo(new long[] { GymScenes.ClassNames.Count * 2, 3, 64, 64 }));
            Assert.That(renders.shape[2], Is.EqualTo(32));
            Assert.That((down - renders).abs().mean().item<float>(), Is.LessThan(0.03), "the 64-pixel starts average back to the renders");
            Assert.That(() => o.Validate(), Throws.Nothing);
        }
    }

    [TestCaseSource(nameof(BadOptions))]
    public void BadOptionsAreClearErrors(DumbbellOptions options, string expected) =>
        Assert.That(() => options.Validate(), Throws.TypeOf<LabException>().With.Message.Contains(expected));

    [Test]
    public void UnknownScaleListsTheScales() =>
        Assert.That(() => DumbbellOptions.ForScale("huge"), Throws.TypeOf<LabException>().With.Message.Contains("quick, default"));

    /// <summary>The judge trains at the experiment's batch size unless judge_batch_size names its own.</summary>
    [Test]
    public void TheJudgeBatchSizeReachesItsTraining()
    {
        var o = new DumbbellOptions { BatchSize = 96 };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(DumbbellJudge.TrainingSettings(o).BatchSize, Is.EqualTo(96));
            Assert.That(DumbbellJudge.TrainingSettings(o with { JudgeBatchSize = 160 }).BatchSize, Is.EqualTo(160));
            Assert.That(DumbbellJudge.TrainingSettings(o with { JudgeBatchSize = 160 }).Objective, Is.EqualTo("pgd-l2"));
        }
    }

    /// <summary>
    /// The judge is built from its own architecture, width and hidden units, not the models': with resnet models it is
    /// still the cnn it was, so its readings compare across architectures; and its own settings reach it.
    /// </summary>
    [Test]
    public void TheJudgeHasItsOwnArchitecture()
    {
        var ctx = LabContext.Create("cpu", 0, threads: 1);
        var o = Miniature(null!) with { Architecture = "resnet", Width = 8 };
        using (Assert.EnterMultipleScope())
        {
            using (var cnn = DumbbellJudge.Train(o, ctx, null, null, CancellationToken.None).Model)
            {
                Assert.That(cnn.Spec.Architecture, Is.EqualTo("cnn"), "resnet models, the default judge");
                Assert.That(cnn.Spec.Args["width"], Is.EqualTo(32));
                Assert.That(cnn.Spec.Args["hidden"], Is.EqualTo(128));
            }
            using (var narrow = DumbbellJudge.Train(o with { JudgeWidth = 12, JudgeHidden = 20 }, ctx, null, null, CancellationToken.None).Model)
                Assert.That((narrow.Spec.Args["width"], narrow.Spec.Args["hidden"]), Is.EqualTo((12.0, 20.0)));
            using (var resnet = DumbbellJudge.Train(o with { Architecture = "cnn", JudgeArchitecture = "resnet", JudgeWidth = 4 }, ctx, null, null, CancellationToken.None).Model)
                Assert.That((resnet.Spec.Architecture, resnet.Spec.Args["width"]), Is.EqualTo(("resnet", 4.0)));
        }
    }

    [Test]
    public void PresetsAreValid()
    {
        Assert.That(() => DumbbellOptions.Quick.Validate(), Throws.Nothing);
        Assert.That(() => new DumbbellOptions().Validate(), Throws.Nothing);
    }

    /// <summary>Every part of the experiment at a size that runs in seconds (tiny data, one epoch, a few steps), writing into <paramref name="dir"/>.</summary>
    private static DumbbellOptions Miniature(string dir) => new()
    {
        Size = 16, Train = 120, Test = 60, Epochs = 1, VisSteps = 4, VisSeeds = 2, ProbeCount = 12,
        ControlTrain = 60, ControlEpochs = 1, DetectorTrain = 120, DetectorEpochs = 1, DetectorVisSeeds = 1, DetectorHeldOutSeeds = 1,
        JudgeTrain = 140, JudgeEpochs = 1, AdversarialSteps = 1, JudgeAdversarialSteps = 1, OutputDir = dir,
    };

    /// <summary>
    /// A miniature run end to end (tiny data, a few steps): every figure is a number in range and the files exist.
    /// It checks the plumbing, not the science; the figures come from `lab dumbbell`.
    /// </summary>
    [Test]
    [Category("Slow")]
    public void MiniatureRunWritesEveryFigureAndFile()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rl-dumbbell-" + Guid.NewGuid().ToString("N"));
        try
        {
            // Lucid-style pictures with diversity and a final blur (the synthesis path is ReusedModelsAreLoadedOnlyWhenTheirRecipeMatches').
            var o = Miniature(dir) with { Objective = "pgd-l2", VisMethod = "lucid", VisDiversity = 0.1, VisFinalBlur = 0.5 };
            var r = DumbbellFigures.Write(DumbbellExperiment.Run(o, LabContext.Create("cpu", 0, threads: 1)), dir);
            using (Assert.EnterMultipleScope())
            {
                foreach (var m in new[] { r.Biased, r.Debiased })
                {
                    Assert.That(m.CleanAccuracy, Is.InRange(0.0, 1.0));
                    Assert.That(m.ArmScoreDetector!.Values, Has.Count.EqualTo(2));
                    Assert.That(m.JudgeArmScore!.Values, Has.Count.EqualTo(2));
                    Assert.That(m.JudgeArmScore.Values, Has.All.InRange(0.0, 1.0));
                    Assert.That(m.JudgeLegibleClasses, Is.InRange(0, 6));
                    Assert.That(m.JudgeDumbbellScore!.Values, Has.Count.EqualTo(2).And.All.InRange(0.0, 1.0));
                    Assert.That(m.JudgeHeldDumbbells, Is.InRange(0, m.JudgeArmScore.Values.Count(p => p >= 0.5)), "held: an arm among other things");
                    Assert.That(m.ArmEffect.N, Is.EqualTo(12));
                    Assert.That(m.ArmEffectHandOnly.N, Is.EqualTo(12));
                    Assert.That(m.ArmEffectWithoutHand.Mean, Is.InRange(-1.0, 1.0));
                    Assert.That(m.HandPixelShare, Is.InRange(0.0, 1.0));
                    Assert.That(m.ObjectPartEffects.Keys, Is.EquivalentTo(GymScenes.ClassNames), "every class's part measured");
                    Assert.That(m.ObjectPartEffects.Values.Sum(e => e.Effect.N), Is.EqualTo(12));
                    Assert.That(m.ObjectPartEffects["kettlebell"].Part, Is.EqualTo("handle"));
                    Assert.That(m.ArmEffect.Mean, Is.InRange(-1.0, 1.0));
                    Assert.That(m.PDumbbellArmOnly, Is.InRange(0.0, 1.0));
                    Assert.That(m.ArmOnlyMeanProbabilities.Values.Sum(), Is.EqualTo(1.0).Within(1e-4));
                }
                Assert.That(r.Targets.Select(t => t.Name), Has.Some.Contains("judge P(arm)").And.Some.Contains("arm effect").And.Some.Contains("legible"));
                Assert.That(r.JudgeObjectAccuracy, Is.InRange(0.0, 1.0));
                Assert.That(r.JudgeObjectAccuracyPlainFloor, Is.InRange(0.0, 1.0), "validity on the scenes' own floors");
                if (r.JudgeObjectAccuracyNoiseFloor is { } noise) Assert.That(noise, Is.InRange(0.0, 1.0));
                Assert.That(File.Exists(Path.Combine(dir, DumbbellFigures.ReportFile)), Is.True);
                foreach (var file in new[] { "dumbbell.svg", "dumbbell.png", "class-visualizations.svg", "class-visualizations.png" })
                    Assert.That(File.Exists(Path.Combine(dir, file)), Is.True, $"{file} written");
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// Generator pictures in a miniature run: the prior is trained and reported (it draws held-out renders better than
    /// their mean image), every picture comes through it, and the judge's reading of the prior's reconstructions is
    /// reported beside its reading of the renders.
    /// </summary>
    [Test]
    [Category("Slow")]
    public void AMiniatureGeneratorRunReportsItsPriorAndWhatTheJudgeReadsThroughIt()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rl-dumbbell-gen-" + Guid.NewGuid().ToString("N"));
        try
        {
            var o = Miniature(dir) with { VisMethod = "generator", PriorTrain = 1500, PriorEpochs = 8, PriorLatent = 16, JudgePriorShare = 0.5, Detector = false };
            var ctx = LabContext.Create("cpu", 0, threads: 1);
            var r = DumbbellExperiment.Run(o, ctx);
            var weights = Path.Combine(dir, DumbbellExperiment.PriorFolder, RobustnessLab.FeatureVis.GeneratorPrior.WeightsFile);
            var trained = File.GetLastWriteTimeUtc(weights);
            // Other picture settings with --reuse-models: the prior is loaded, not trained again.
            var again = DumbbellExperiment.Run(o with { ReuseModels = true, VisGeneratorStartWeight = 1 }, ctx);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(r.Files["prior"], Is.EqualTo(DumbbellExperiment.PriorFolder));
                Assert.That(File.GetLastWriteTimeUtc(weights), Is.EqualTo(trained), "the same recipe loads the saved prior");
                Assert.That(again.PriorReconstructionError, Is.EqualTo(r.PriorReconstructionError));
                Assert.That(again.Options.VisGeneratorStartWeight, Is.EqualTo(1));
                Assert.That(r.PriorReconstructionError, Is.LessThan(r.PriorMeanImageError!.Value), "the prior learnt more than the mean render");
                Assert.That(r.PriorSeconds, Is.GreaterThan(0));
                Assert.That(r.StageSeconds.Keys, Is.EqualTo(new[] { "biased_model", "debiased_model", "prior", "judge", "visualise_biased", "visualise_debiased", "measure" }),
                    "the parts that ran, in order (no detector at this scale)");
                Assert.That(r.StageSeconds.Values, Is.All.GreaterThanOrEqualTo(0));
                Assert.That(r.StageSeconds.Values.Sum(), Is.EqualTo(r.Seconds).Within(1.0), "the parts add up to the run");
                Assert.That(r.JudgeObjectAccuracyPriorRenders, Is.InRange(0.0, 1.0));
                Assert.That(r.JudgeObjectAccuracyPriorReconstructions, Is.InRange(0.0, 1.0));
                foreach (var m in new[] { r.Biased, r.Debiased })
                    Assert.That(m.JudgeArmScore!.Values, Has.Count.EqualTo(2).And.All.InRange(0.0, 1.0));
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The judge's check under PGD draws its random starts from its own seeded stream: the global generator's state
    /// (which differs between a judge just trained and one loaded from its checkpoint) does not change the figure.
    /// </summary>
    [Test]
    public void TheJudgesPgdCheckDoesNotDependOnTheGlobalGenerator()
    {
        using var judge = GymTestModels.Untrained(DumbbellJudge.LabelNames, 5);
        int k = GymScenes.ClassNames.Count;
        var renders = Enumerable.Range(0, 96).Select(i => GymRenderer.Render(new GymSceneRequest(32, i % k, i % 2 == 0, 300 + i))).ToList();
        using var images = torch.stack(renders.Select(r => torch.tensor(r.Pixels, new long[] { 3, 32, 32 })).ToList());
        using var labels = torch.tensor(renders.Select(r => (long)DumbbellJudge.LabelOf(r.Label, r.Arm)).ToArray());
        using var data = new RobustnessLab.Data.Dataset("judge-probe", images, labels, DumbbellJudge.LabelNames);
        var runs = new List<double[]>();
        foreach (int global in new[] { 1, 2 })
        {
            torch.manual_seed(global);
            runs.Add(DumbbellJudge.UnderAttack(judge, data, 0.5, 42).SelectMany(v => v.ObjectProbabilities).ToArray());
        }
        torch.manual_seed(1);
        var otherSeed = DumbbellJudge.UnderAttack(judge, data, 0.5, 43).SelectMany(v => v.ObjectProbabilities).ToArray();
        Assert.That(runs[1], Is.EqualTo(runs[0]), "the same seed under another global generator state");
        Assert.That(otherSeed, Is.Not.EqualTo(runs[0]), "another seed draws other starts");
    }

    /// <summary>
    /// Robust synthesis in a miniature run, and --reuse-models: a second run with other visualisation settings loads the
    /// five checkpoints instead of training them (same weights files, same accuracies), and a run with another recipe
    /// (more epochs) trains again.
    /// </summary>
    [Test]
    [Category("Slow")]
    public void ReusedModelsAreLoadedOnlyWhenTheirRecipeMatches()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rl-dumbbell-reuse-" + Guid.NewGuid().ToString("N"));
        try
        {
            var o = Miniature(dir) with { VisMethod = "synthesis", VisStartRenders = 20 };
            var ctx = LabContext.Create("cpu", 0, threads: 1);
            string[] folders = [DumbbellExperiment.BiasedModelFolder, DumbbellExperiment.DebiasedModelFolder, DumbbellExperiment.JudgeFolder, DumbbellExperiment.ArmDetectorFolder,
                DumbbellExperiment.ArmDetectorControlFolder];
            DateTime[] Stamps() => folders.Select(f => File.GetLastWriteTimeUtc(Path.Combine(dir, f, "model.safetensors"))).ToArray();
            var first = DumbbellExperiment.Run(o, ctx);
            var trained = Stamps();
            Assert.That(folders.Select(f => File.Exists(Path.Combine(dir, f, DumbbellModels.RecipeFile))), Has.All.True, "every checkpoint names its recipe");
            var reused = DumbbellExperiment.Run(o with { ReuseModels = true, VisEpsilon = 2 }, ctx);
            var afterReuse = Stamps();
            var retrained = DumbbellExperiment.Run(o with { ReuseModels = true, Epochs = 2 }, ctx);
            var afterRetrain = Stamps();
            using (Assert.EnterMultipleScope())
            {
                Assert.That(afterReuse, Is.EqualTo(trained), "the same recipe loads the checkpoints");
                Assert.That(reused.Biased.CleanAccuracy, Is.EqualTo(first.Biased.CleanAccuracy));
                Assert.That(reused.Debiased.CleanAccuracy, Is.EqualTo(first.Debiased.CleanAccuracy));
                Assert.That(reused.JudgeObjectAccuracy, Is.EqualTo(first.JudgeObjectAccuracy));
                Assert.That(reused.JudgeRobustObjectAccuracy, Is.EqualTo(first.JudgeRobustObjectAccuracy),
                    "the judge's PGD check starts from its own seeded stream, not from whatever training left in the global one");
                Assert.That(reused.Options.VisEpsilon, Is.EqualTo(2));
                Assert.That(afterRetrain[0], Is.GreaterThan(trained[0]), "more epochs: the biased model trains again");
                Assert.That(afterRetrain[1], Is.GreaterThan(trained[1]), "and the debiased one");
                Assert.That(afterRetrain[2], Is.EqualTo(trained[2]), "the judge's recipe did not change: loaded");
                Assert.That(afterRetrain[4], Is.EqualTo(trained[4]), "nor the arm detector's control model's");
                foreach (var m in new[] { first.Biased, first.Debiased })
                    Assert.That(m.JudgeArmScore!.Values, Has.Count.EqualTo(2).And.All.InRange(0.0, 1.0));
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// A run stopped while training leaves no recipe beside the half-trained checkpoint (a fresh training's first
    /// checkpoint replaces the folder's files): training writes the checkpoint epoch by epoch, so a recipe left from an
    /// earlier run would name weights it no longer describes, and a later run of that recipe would load them. Here the
    /// earlier recipe's run after the stop trains again and gets the same model as the first time.
    /// </summary>
    [Test]
    [Category("Slow")]
    public void AStoppedTrainingLeavesNoRecipeToReuse()
    {
        var dir = Path.Combine(Path.GetTempPath(), "rl-dumbbell-stop-" + Guid.NewGuid().ToString("N"));
        try
        {
            var o = Miniature(dir) with { VisMethod = "synthesis", VisStartRenders = 20, Judge = false, Detector = false };
            var ctx = LabContext.Create("cpu", 0, threads: 1);
            var recipe = Path.Combine(dir, DumbbellExperiment.BiasedModelFolder, DumbbellModels.RecipeFile);
            var first = DumbbellExperiment.Run(o, ctx);
            Assert.That(File.Exists(recipe), "a finished training names its recipe");
            using var stop = new CancellationTokenSource();
            // Another recipe (3 epochs), stopped in its biased model's second epoch: epoch 1's checkpoint is written by then.
            var progress = new SyncProgress<DumbbellProgress>(p => { if (p.Stage == 1 && p.Status.Contains("epoch 2/3")) stop.Cancel(); });
            Assert.That(() => DumbbellExperiment.Run(o with { ReuseModels = true, Epochs = 3 }, ctx, progress, stop.Token), Throws.InstanceOf<OperationCanceledException>());
            bool recipeAfterStop = File.Exists(recipe);
            var again = DumbbellExperiment.Run(o with { ReuseModels = true }, ctx);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(recipeAfterStop, Is.False, "the stopped run removed the old recipe");
                Assert.That(File.Exists(recipe), "the next run trained and named its recipe");
                Assert.That(again.Biased.CleanAccuracy, Is.EqualTo(first.Biased.CleanAccuracy), "the same recipe, the same model");
                Assert.That(again.Debiased.CleanAccuracy, Is.EqualTo(first.Debiased.CleanAccuracy));
            }
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, true);
        }
    }

    /// <summary>
    /// The quickstart's dumbbell stage, exactly as `lab run experiments/quickstart.yaml` runs it (the quick preset,
    /// seed 0): every target it shows is met, so the quickstart ends without a red flag. The quick scale shows the
    /// accuracy, paired arm-effect and arm-alone targets (no judge); it may show fewer targets, never failing ones.
    /// </summary>
    [Test]
    [Category("Slow")]
    public void QuickPresetMeetsEveryTargetItShows()
    {
        var r = DumbbellExperiment.Run(DumbbellOptions.Quick, LabContext.Create("cpu", 0, threads: 2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Targets.Select(t => t.Name), Has.Some.Contains("biased clean accuracy").And.Some.Contains("debiased clean accuracy")
                .And.Some.Contains("biased arm effect").And.Some.Contains("debiased |arm effect|").And.Some.Contains("arm alone"));
            foreach (var t in r.Targets)
                Assert.That(t.Met, Is.True, $"{t.Name} = {t.Value:F3}, expected {t.Bound}");
        }
    }
}
