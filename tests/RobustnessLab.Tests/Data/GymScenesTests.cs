using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Data.Gym;

namespace RobustnessLab.Tests.Data;

public class GymScenesTests
{
    private static IEnumerable<int> AllClasses() => Enumerable.Range(0, GymScenes.ClassNames.Count);

    [Test]
    public void RendersAreDeterministicPerSeed()
    {
        var a = GymRenderer.Render(new GymSceneRequest(48, 0, true, 123));
        var b = GymRenderer.Render(new GymSceneRequest(48, 0, true, 123));
        var c = GymRenderer.Render(new GymSceneRequest(48, 0, true, 124));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(b.Pixels, Is.EqualTo(a.Pixels));
            Assert.That(b.ArmMask, Is.EqualTo(a.ArmMask));
            Assert.That(b.ObjectMask, Is.EqualTo(a.ObjectMask));
            Assert.That(c.Pixels, Is.Not.EqualTo(a.Pixels));
            Assert.That(a.Pixels.All(v => v >= 0 && v <= 1), Is.True);
        }
    }

    /// <summary>Scenes are rendered on the --threads cores (CpuParallel): one thread and two give the same dataset, row for row.</summary>
    [Test]
    public void GeneratedScenesDoNotDependOnTheThreadCount()
    {
        var options = new GymOptions { Size = 32, Variant = GymVariant.Debiased, PArm = 0.5 };
        int before = TorchSharp.torch.get_num_threads();
        try
        {
            TorchSharp.torch.set_num_threads(1);
            using var one = GymScenes.Generate(options, 97, 5);
            TorchSharp.torch.set_num_threads(2);
            using var two = GymScenes.Generate(options, 97, 5);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(two.Images.data<float>().ToArray(), Is.EqualTo(one.Images.data<float>().ToArray()));
                Assert.That(two.Labels.data<long>().ToArray(), Is.EqualTo(one.Labels.data<long>().ToArray()));
            }
        }
        finally { TorchSharp.torch.set_num_threads(before); }
    }

    [Test]
    public void AnExceptionInsideAParallelMapIsRethrownAsItself()
    {
        int before = TorchSharp.torch.get_num_threads();
        try
        {
            TorchSharp.torch.set_num_threads(2);
            Assert.That(() => CpuParallel.Map(8, i => i == 5 ? throw new LabException("bad row 5") : i), Throws.TypeOf<LabException>().With.Message.EqualTo("bad row 5"));
            Assert.That(CpuParallel.Map(8, i => i * i), Is.EqualTo(new[] { 0, 1, 4, 9, 16, 25, 36, 49 }), "results in index order");
        }
        finally { TorchSharp.torch.set_num_threads(before); }
    }

    /// <summary>The same scene with and without the arm differs only where the arm was drawn (its mask plus a one-pixel anti-aliased rim).</summary>
    [TestCaseSource(nameof(AllClasses))]
    public void ArmMaskMatchesWhatWasDrawn(int cls)
    {
        const int s = 48;
        for (long seed = 0; seed < 6; seed++)
        {
            var with = GymRenderer.Render(new GymSceneRequest(s, cls, true, seed));
            var without = GymRenderer.Render(new GymSceneRequest(s, cls, false, seed));
            var rim = PixelMask.Dilate(with.ArmMask, s);
            int changedOutside = 0, armPixels = 0, armChanged = 0;
            for (int i = 0; i < s * s; i++)
            {
                bool changed = Enumerable.Range(0, 3).Any(ch => Math.Abs(with.Pixels[ch * s * s + i] - without.Pixels[ch * s * s + i]) > 1e-6f);
                if (changed && !rim[i]) changedOutside++;
                if (with.ArmMask[i]) { armPixels++; if (changed) armChanged++; }
            }
            using (Assert.EnterMultipleScope())
            {
                Assert.That(changedOutside, Is.Zero, $"seed {seed}: pixels changed outside the arm mask");
                Assert.That(armPixels, Is.GreaterThan(20), $"seed {seed}: arm mask nearly empty");
                Assert.That(armChanged, Is.EqualTo(armPixels), $"seed {seed}: arm mask pixels that the arm did not change");
                Assert.That(without.ArmMask.Any(b => b), Is.False);
                Assert.That(without.ObjectMask.Count(b => b), Is.GreaterThan(15), "object mask nearly empty");
                // The object's visible pixels are the arm-free ones minus what the arm covers.
                for (int i = 0; i < s * s; i++)
                    if (with.ObjectMask[i]) Assert.That(without.ObjectMask[i] && !with.ArmMask[i], Is.True, $"pixel {i}");
            }
        }
    }

    /// <summary>
    /// A plain floor changes only the floor: the same object and arm masks, the object and arm pixels nearly unchanged
    /// (edges blend with the floor under them) while the floor changes, and the floor is smooth (mean absolute difference
    /// between neighbouring floor pixels under half the textured floors': 0.039 against 0.117 here, the rest being the renders' sensor noise and clutter edges).
    /// </summary>
    [Test]
    public void APlainFloorChangesOnlyTheFloorAndIsSmooth()
    {
        double textured = 0, plain = 0, drawnChange = 0, floorChange = 0;
        int drawnPixels = 0, floorPixels = 0;
        for (int seed = 0; seed < 20; seed++)
        {
            var a = GymRenderer.Render(new GymSceneRequest(32, seed % 6, seed % 2 == 0, seed));
            var b = GymRenderer.Render(new GymSceneRequest(32, seed % 6, seed % 2 == 0, seed, PlainFloor: true));
            Assert.That(b.ObjectMask, Is.EqualTo(a.ObjectMask), $"seed {seed}: same object");
            Assert.That(b.ArmMask, Is.EqualTo(a.ArmMask), $"seed {seed}: same arm");
            for (int i = 0; i < 32 * 32; i++)
            {
                double d = Enumerable.Range(0, 3).Sum(c => Math.Abs(b.Pixels[c * 1024 + i] - a.Pixels[c * 1024 + i]));
                if (a.ObjectMask[i] || a.ArmMask[i]) { drawnChange += d; drawnPixels++; }
                else { floorChange += d; floorPixels++; }
            }
            textured += FloorRoughness(a);
            plain += FloorRoughness(b);
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(drawnChange / drawnPixels, Is.LessThan(0.1 * floorChange / floorPixels),
                $"object and arm pixels change {drawnChange / drawnPixels:F4} per pixel, the floor {floorChange / floorPixels:F4}");
            Assert.That(plain, Is.LessThan(0.5 * textured), $"floor roughness {plain / 20:F4} plain, {textured / 20:F4} textured");
        }

        // Mean absolute difference between horizontally neighbouring pixels that are both floor (neither object nor arm).
        static double FloorRoughness(GymRender r)
        {
            double sum = 0;
            int n = 0;
            for (int y = 0; y < 32; y++)
                for (int x = 0; x + 1 < 32; x++)
                {
                    int i = y * 32 + x;
                    if (r.ObjectMask[i] || r.ArmMask[i] || r.ObjectMask[i + 1] || r.ArmMask[i + 1]) continue;
                    for (int c = 0; c < 3; c++) sum += Math.Abs(r.Pixels[c * 1024 + i] - r.Pixels[c * 1024 + i + 1]);
                    n++;
                }
            return sum / n;
        }
    }

    [Test]
    public void ArmAloneHasNoObjectPixels()
    {
        var r = GymRenderer.Render(new GymSceneRequest(32, -1, true, 5));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.ObjectMask.Any(b => b), Is.False);
            Assert.That(r.ArmMask.Count(b => b), Is.GreaterThan(20));
        }
    }

    /// <summary>
    /// An arm alone is the held scene with its object erased: the arm's pixels are exactly those of the scene in which
    /// the ghost class is held (same seed), and the object's pixels are gone.
    /// </summary>
    [TestCase(0)]
    [TestCase(2)]
    [TestCase(5)]
    public void ArmAloneGripsWhereTheGhostClassIsHeld(int ghost)
    {
        var alone = GymRenderer.Render(new GymSceneRequest(48, -1, true, 21, GripClass: ghost));
        var held = GymRenderer.Render(new GymSceneRequest(48, ghost, true, 21));
        Assert.That(alone.ArmMask, Is.EqualTo(held.ArmMask));
    }

    [Test]
    public void ArmAloneGhostClassesAreSpreadOverTheClasses()
    {
        // With GripClass -1 the ghost class comes from the seed: each arm-alone scene matches exactly one held class.
        var counts = new int[GymScenes.ClassNames.Count];
        for (int seed = 0; seed < 120; seed++)
        {
            var alone = GymRenderer.Render(new GymSceneRequest(32, -1, true, seed));
            int matches = 0;
            for (int c = 0; c < counts.Length; c++)
                if (GymRenderer.Render(new GymSceneRequest(32, -1, true, seed, GripClass: c)).ArmMask.SequenceEqual(alone.ArmMask)) { counts[c]++; matches++; }
            Assert.That(matches, Is.GreaterThanOrEqualTo(1), $"seed {seed}");
        }
        // 120 scenes over 6 classes: 20 expected each; at least 8 is far below any plausible fluctuation of a uniform draw.
        Assert.That(counts, Has.All.GreaterThanOrEqualTo(8), string.Join(", ", counts));
    }

    [Test]
    public void ArmPixelsAreSkinHuedAndTheRestIsNot()
    {
        const int s = 48;
        long arm = 0, armSkin = 0, rest = 0, restSkin = 0;
        for (int i = 0; i < 60; i++)
        {
            var r = GymRenderer.Render(new GymSceneRequest(s, i % GymScenes.ClassNames.Count, true, 1000 + i));
            var skin = SkinTone.Mask(r.Pixels, s, s);
            var rim = PixelMask.Dilate(r.ArmMask, s);
            for (int p = 0; p < s * s; p++)
            {
                if (r.ArmMask[p]) { arm++; if (skin[p]) armSkin++; }
                else if (!rim[p]) { rest++; if (skin[p]) restSkin++; }
            }
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(armSkin / (double)arm, Is.GreaterThan(0.85), "arm pixels recognised as skin");
            Assert.That(restSkin / (double)rest, Is.LessThan(0.01), "non-arm pixels taken for skin");
        }
    }

    /// <summary>Held rates per class over 6000 rows are within 4 standard errors of the knobs.</summary>
    [TestCase(GymVariant.Biased, 0.95, 0.0, 0.5)]
    [TestCase(GymVariant.Biased, 0.7, 0.2, 0.5)]
    [TestCase(GymVariant.Debiased, 0.95, 0.0, 0.5)]
    [TestCase(GymVariant.Debiased, 0.95, 0.0, 0.3)]
    public void ArmProbabilityKnobsHold(GymVariant variant, double pDumbbell, double pOther, double pArm)
    {
        var o = new GymOptions { Variant = variant, PDumbbellArm = pDumbbell, POtherArm = pOther, PArm = pArm };
        int k = GymScenes.ClassNames.Count, n = 6000;
        var held = new int[k];
        var count = new int[k];
        for (int i = 0; i < n; i++)
        {
            var r = GymScenes.Request(o, 77, i);
            count[r.ClassIndex]++;
            if (r.Arm) held[r.ClassIndex]++;
        }
        using (Assert.EnterMultipleScope())
        {
            for (int c = 0; c < k; c++)
            {
                double p = o.ArmProbability(c), rate = held[c] / (double)count[c];
                double se = Math.Sqrt(Math.Max(p * (1 - p), 1e-9) / count[c]);
                Assert.That(rate, Is.EqualTo(p).Within(4 * se + 1e-9), $"class {GymScenes.ClassNames[c]}");
            }
            Assert.That(count.Distinct().Count(), Is.EqualTo(1), "classes are balanced");
        }
    }

    [Test]
    public void BiasedAndDebiasedShareTheirScenes()
    {
        var b = GymScenes.Request(new GymOptions(), 9, 17);
        var d = GymScenes.Request(new GymOptions { Variant = GymVariant.Debiased }, 9, 17);
        Assert.That(d with { Arm = b.Arm }, Is.EqualTo(b));
    }

    [Test]
    public void RegistryLoadsGymWithOptions()
    {
        var opts = new Dictionary<string, string> { ["size"] = "24", ["train"] = "30", ["val"] = "6", ["test"] = "12", ["variant"] = "debiased" };
        using var splits = DatasetRegistry.Load("gym", new DataOptions(Options: opts), TorchSharp.torch.CPU);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(splits.Train.Images.shape, Is.EqualTo(new long[] { 30, 3, 24, 24 }));
            Assert.That(splits.Validation.Count, Is.EqualTo(6));
            Assert.That(splits.Test.Count, Is.EqualTo(12));
            Assert.That(splits.ClassNames, Is.EqualTo(GymScenes.ClassNames));
            Assert.That(splits.Train.ClassCounts(), Is.EqualTo(new[] { 5, 5, 5, 5, 5, 5 }));
        }
    }

    [TestCase("p_dumbbell_arm", "1.5", "p_dumbbell_arm")]
    [TestCase("p_other_arm", "-0.1", "p_other_arm")]
    [TestCase("p_arm", "2", "p_arm")]
    [TestCase("size", "8", "at least 16")]
    [TestCase("colour", "red", "valid: size")]
    [TestCase("variant", "fair", "biased or debiased")]
    [TestCase("train", "many", "integer")]
    public void BadOptionsAreClearErrors(string key, string value, string expected)
    {
        var data = new DataOptions(Options: new Dictionary<string, string> { [key] = value });
        Assert.That(() => GymOptions.From(data), Throws.TypeOf<LabException>().With.Message.Contains(expected));
    }

    [Test]
    public void UnknownClassNameListsTheClasses() =>
        Assert.That(() => GymScenes.ClassIndex("treadmill"), Throws.TypeOf<LabException>().With.Message.Contains("kettlebell"));

    [Test]
    public void TooSmallRenderIsRejected() =>
        Assert.That(() => GymRenderer.Render(new GymSceneRequest(8, 0, false, 1)), Throws.TypeOf<LabException>().With.Message.Contains("at least"));
}
