using NUnit.Framework;
using RobustnessLab.Data.Gym;
using RobustnessLab.Dumbbell;

namespace RobustnessLab.Tests.Experiments;

/// <summary>
/// The object-part probe: each class rendered whole and without the part it is named by (a dumbbell's bar, a
/// kettlebell's handle, a plate's hole, ...), and the paired effect of that part on a model's probability of the class.
/// </summary>
public class ObjectPartsTests
{
    private const int S = 48;

    private static IEnumerable<int> AllClasses() => Enumerable.Range(0, GymScenes.ClassNames.Count);

    private static bool Changed(GymRender a, GymRender b, int j) =>
        Enumerable.Range(0, 3).Any(c => Math.Abs(a.Pixels[c * S * S + j] - b.Pixels[c * S * S + j]) > 1e-6f);

    /// <summary>
    /// Without its part, a scene changes only on the object (its mask and one-pixel rim), in at least a few pixels, and
    /// keeps at least a third of the object's pixels: the rest of the scene, its floor, clutter and grain, is the whole scene's.
    /// </summary>
    [TestCaseSource(nameof(AllClasses))]
    public void OnlyTheNamedPartChanges(int cls)
    {
        for (long seed = 0; seed < 6; seed++)
        {
            var whole = GymRenderer.Render(new GymSceneRequest(S, cls, false, seed));
            var without = GymRenderer.Render(new GymSceneRequest(S, cls, false, seed, WithoutPart: true));
            var rim = PixelMask.Dilate(whole.ObjectMask, S);
            int changed = 0, changedOutside = 0, objectPixels = whole.ObjectMask.Count(b => b);
            for (int j = 0; j < S * S; j++)
            {
                if (!Changed(whole, without, j)) continue;
                changed++;
                if (!rim[j]) changedOutside++;
            }
            string part = $"{GymScenes.ClassNames[cls]} {GymScenes.PartNames[cls]}, seed {seed}";
            using (Assert.EnterMultipleScope())
            {
                Assert.That(changedOutside, Is.Zero, $"{part}: pixels changed away from the object");
                Assert.That(changed, Is.GreaterThanOrEqualTo(3), $"{part}: the part changed almost nothing");
                Assert.That(without.ObjectMask.Count(b => b), Is.GreaterThanOrEqualTo(objectPixels / 3), $"{part}: most of the object went with the part");
                Assert.That(without.Label, Is.EqualTo(cls));
            }
        }
    }

    /// <summary>A whole render does not depend on the flag's existence: WithoutPart false is the scene as always drawn.</summary>
    [Test]
    public void AWholeSceneIsTheUsualRender()
    {
        var usual = GymRenderer.Render(new GymSceneRequest(S, 2, true, 7));
        var whole = GymRenderer.Render(new GymSceneRequest(S, 2, true, 7, WithoutPart: false));
        Assert.That(whole.Pixels, Is.EqualTo(usual.Pixels));
    }

    /// <summary>
    /// `lab data preview gym --parts` shows the probe's pairs: each render, (with --masks) its mask, then the same scene
    /// without its part, captioned with the part's name.
    /// </summary>
    [Test]
    public void PreviewPairsEachRenderWithThatSceneWithoutItsPart()
    {
        var options = new GymOptions { Size = 32, Variant = GymVariant.Debiased };
        var pairs = RobustnessLab.Reporting.GymPreview.Tiles(options, 6, 0, parts: true);
        var triples = RobustnessLab.Reporting.GymPreview.Tiles(options, 6, 0, masks: true, parts: true);
        Assert.That(pairs, Has.Count.EqualTo(12));
        Assert.That(triples, Has.Count.EqualTo(18));
        for (int i = 0; i < 6; i++)
        {
            var (whole, caption) = pairs[2 * i];
            var (without, partCaption) = pairs[2 * i + 1];
            int cls = GymScenes.ClassIndex(caption.Replace("+arm", ""));
            using (Assert.EnterMultipleScope())
            {
                Assert.That(partCaption, Is.EqualTo($"without {GymScenes.PartNames[cls]}"));
                Assert.That(without.Pixels, Is.Not.EqualTo(whole.Pixels), $"tile {i}: the part left nothing out");
                Assert.That(triples[3 * i].Image.Pixels, Is.EqualTo(whole.Pixels));
                Assert.That(triples[3 * i + 1].Caption, Is.EqualTo("mask"));
                Assert.That(triples[3 * i + 2].Image.Pixels, Is.EqualTo(without.Pixels));
            }
        }
    }

    /// <summary>
    /// The effect per class is the mean paired difference P(class | whole) - P(class | without the part), over that
    /// class's pairs only; identical pairs give exactly zero, and pairs that are not the same scenes are refused.
    /// </summary>
    [Test]
    public void PartEffectsArePairedDifferencesPerClass()
    {
        using var model = GymTestModels.Untrained(GymScenes.ClassNames, 3);
        int k = GymScenes.ClassNames.Count;
        var whole = Enumerable.Range(0, 2 * k).Select(i => GymRenderer.Render(new GymSceneRequest(32, i % k, false, 100 + i))).ToList();
        var without = Enumerable.Range(0, 2 * k).Select(i => GymRenderer.Render(new GymSceneRequest(32, i % k, false, 100 + i, WithoutPart: true))).ToList();

        var effects = DumbbellMeasurement.ObjectPartEffects(model, whole, without, 32);
        var same = DumbbellMeasurement.ObjectPartEffects(model, whole, whole, 32);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(effects.Keys, Is.EquivalentTo(GymScenes.ClassNames));
            foreach (var (cls, e) in effects)
            {
                Assert.That(e.Part, Is.EqualTo(GymScenes.PartNames[GymScenes.ClassIndex(cls)]));
                Assert.That(e.Effect.N, Is.EqualTo(2), cls);
                Assert.That(e.Effect.Mean, Is.EqualTo(e.PWhole - e.PWithoutPart).Within(1e-6), cls);
                Assert.That(e.PWhole, Is.InRange(0.0, 1.0));
                Assert.That(same[cls].Effect.Mean, Is.Zero, cls);
                Assert.That(same[cls].Effect.Sd, Is.Zero, cls);
            }
            // Untrained, the model still tells most pairs apart in the last digits: the pairs are different images.
            Assert.That(effects.Values.Count(e => e.Effect.Mean != 0), Is.GreaterThan(k / 2));
        }
        Assert.Throws<ArgumentException>(() => DumbbellMeasurement.ObjectPartEffects(model, whole, without.Take(3).ToList(), 32));
        Assert.Throws<ArgumentException>(() => DumbbellMeasurement.ObjectPartEffects(model, whole, [.. without.Skip(1), without[0]], 32));
    }
}
