using RobustnessLab.Core;
using RobustnessLab.Data.Gym;
using RobustnessLab.Dumbbell;
using RobustnessLab.FeatureVis;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.FeatureVis;

/// <summary>
/// Generator pictures refined by robust synthesis (<see cref="DumbbellOptions.VisRefineSteps"/>): each refined picture
/// is drawn at the pictures' size, stays in [0, 1] and inside the L2 ball of the synthesis radius (scaled to that size)
/// around its generator picture upsampled, raises its class's logit over that picture, and the same settings give the
/// same pictures.
/// </summary>
[TestFixture]
public sealed class RefinedGeneratorPicturesTests
{
    private static readonly DumbbellOptions O = new()
    {
        Size = 16, VisImageSize = 32, VisSteps = 20, VisSeeds = 2, VisMethod = "generator", VisEpsilon = 1,
        PriorTrain = 300, PriorEpochs = 2, PriorLatent = 8, Width = 4, Hidden = 16,
    };

    private Classifier model = null!;
    private GeneratorPrior prior = null!;
    private Tensor starts = null!;
    private int[] seeds = null!;

    [OneTimeSetUp]
    public void SetUp()
    {
        TorchSharp.torch.manual_seed(5);
        var spec = ModelZoo.Spec("cnn", [3, O.Size, O.Size], GymScenes.ClassNames, [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f], DumbbellModels.ModelArgs(O));
        model = ModelZoo.Create(spec);
        prior = DumbbellModels.TrainPrior(O, CPU, null, null, default);
        seeds = [11, 12];
        starts = DumbbellModels.GeneratorStarts(O, seeds, CPU);
    }

    [OneTimeTearDown]
    public void TearDown()
    {
        starts.Dispose();
        prior.Dispose();
        model.Dispose();
    }

    private List<VisualizationResult> Pictures(int refineSteps) =>
        DumbbellModels.VisualizeAll(model, O with { VisRefineSteps = refineSteps }, seeds, [], null, default, starts, prior);

    private static Tensor Batch(IEnumerable<VisualizationResult> results) => cat(results.SelectMany(r => r.Images).Select(i => i.ToTensor()).ToList(), 0);

    [Test]
    public void RefinedPicturesStayNearTheirGeneratorPictureAndRaiseTheClassLogit()
    {
        var plain = Pictures(0);
        var refined = Pictures(12);
        var again = Pictures(12);
        using var scope = NewDisposeScope();
        var before = nn.functional.interpolate(Batch(plain), [32, 32], mode: InterpolationMode.Bilinear, align_corners: false);
        var after = Batch(refined);
        double radius = O.VisEpsilon * 32 / 16.0;
        var distances = (after - before).flatten(1).norm(1).data<float>().ToArray();
        int k = GymScenes.ClassNames.Count;
        var classes = tensor(Enumerable.Range(0, k).SelectMany(c => Enumerable.Repeat((long)c, seeds.Length)).ToArray());
        var resize = Transforms.Resize(O.Size, O.Size);
        double Logit(Tensor x) => model.InEvalMode(() => model.Predict(resize(x, new Random(0))).gather(1, classes.view(-1, 1)).mean().item<float>());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(plain[0].Images[0].Height, Is.EqualTo(16), "the generator draws at the render size");
            Assert.That(refined.SelectMany(r => r.Images).Select(i => i.Height), Has.All.EqualTo(32), "refined pictures are drawn at the pictures' size");
            Assert.That(after.min().item<float>(), Is.GreaterThanOrEqualTo(0f));
            Assert.That(after.max().item<float>(), Is.LessThanOrEqualTo(1f));
            Assert.That(distances, Has.All.LessThanOrEqualTo(radius + 1e-3), "each stays inside the ball around its generator picture");
            Assert.That(distances.Max(), Is.GreaterThan(0.1 * radius), "and moved");
            Assert.That(Logit(after), Is.GreaterThan(Logit(before)), "the class logit rises");
            Assert.That(Batch(again).eq(after).all().item<bool>(), Is.True, "the same settings give the same pictures");
        }
    }
}
