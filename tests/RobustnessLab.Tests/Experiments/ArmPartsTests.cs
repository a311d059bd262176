using NUnit.Framework;
using RobustnessLab.Data.Gym;
using RobustnessLab.Dumbbell;

namespace RobustnessLab.Tests.Experiments;

/// <summary>The hand mask and the paired scenes with part of the arm erased, which split the arm effect into hand and rest of arm.</summary>
public class ArmPartsTests
{
    private const int S = 48;

    private static (GymRender With, GymRender Without) Pair(int cls, long seed) =>
        (GymRenderer.Render(new GymSceneRequest(S, cls, true, seed)), GymRenderer.Render(new GymSceneRequest(S, cls, false, seed)));

    private static bool SamePixel(GymRender a, GymRender b, int j) =>
        Enumerable.Range(0, 3).All(c => Math.Abs(a.Pixels[c * S * S + j] - b.Pixels[c * S * S + j]) < 1e-6f);

    /// <summary>The hand is a small part of the arm: inside its mask, never empty when an arm is drawn, absent when it is not.</summary>
    [Test]
    public void TheHandIsASmallPartOfTheArm()
    {
        for (long seed = 0; seed < 12; seed++)
        {
            var (with, without) = Pair((int)(seed % GymScenes.ClassNames.Count), seed);
            int hand = with.HandMask.Count(b => b), arm = with.ArmMask.Count(b => b);
            using (Assert.EnterMultipleScope())
            {
                Assert.That(Enumerable.Range(0, S * S).All(j => !with.HandMask[j] || with.ArmMask[j]), Is.True, $"seed {seed}: hand outside the arm");
                Assert.That(hand, Is.GreaterThan(3), $"seed {seed}: no hand");
                Assert.That(hand, Is.LessThan(arm / 2), $"seed {seed}: the hand is most of the arm");
                Assert.That(without.HandMask.Any(b => b), Is.False);
            }
        }
    }

    /// <summary>
    /// "Only the hand" is the arm-free scene with the hand's pixels put back; "without the hand" is the held scene with
    /// the hand's pixels taken from the arm-free one. Away from the two parts' rims nothing else changes.
    /// </summary>
    [Test]
    public void ErasingAPartReplacesExactlyThatPart()
    {
        var pairs = Enumerable.Range(0, 6).Select(i => Pair(i, 40 + i)).ToList();
        var parts = DumbbellMeasurement.ArmParts(pairs.Select(p => p.With).ToList(), pairs.Select(p => p.Without).ToList());
        Assert.That(parts.HandOnly, Has.Count.EqualTo(6));
        Assert.That(parts.HandPixelShare, Is.InRange(0.02, 0.5));
        for (int i = 0; i < pairs.Count; i++)
        {
            var (with, without) = pairs[i];
            var handOnly = parts.HandOnly[i];
            var withoutHand = parts.WithoutHand[i];
            int checkedHand = 0, checkedRest = 0;
            for (int j = 0; j < S * S; j++)
            {
                bool hand = with.HandMask[j], rest = with.ArmMask[j] && !hand;
                if (hand)
                {
                    Assert.That(SamePixel(handOnly, with, j), Is.True, $"scene {i}: hand pixel {j} not kept");
                    Assert.That(SamePixel(withoutHand, without, j), Is.True, $"scene {i}: hand pixel {j} not erased");
                    checkedHand++;
                }
                else if (rest)
                {
                    Assert.That(SamePixel(handOnly, without, j), Is.True, $"scene {i}: arm pixel {j} not erased");
                    Assert.That(SamePixel(withoutHand, with, j), Is.True, $"scene {i}: arm pixel {j} not kept");
                    checkedRest++;
                }
                else if (SamePixel(with, without, j))
                {
                    Assert.That(SamePixel(handOnly, without, j) && SamePixel(withoutHand, without, j), Is.True, $"scene {i}: pixel {j} away from the arm changed");
                }
            }
            Assert.That(checkedHand, Is.GreaterThan(0));
            Assert.That(checkedRest, Is.GreaterThan(checkedHand));
        }
    }
}
