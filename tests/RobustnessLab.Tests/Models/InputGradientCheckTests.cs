using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Tests.Models;

public class InputGradientCheckTests
{
    /// <summary>Logits whose float64 path is deliberately different (doubled input): a stand-in for a wrong kernel.</summary>
    private sealed class DisagreesInFloat64 : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> linear = nn.Linear(16, 3);

        public DisagreesInFloat64() : base(nameof(DisagreesInFloat64)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var h = x.flatten(1);
            return linear.call(x.dtype == ScalarType.Float64 ? h.pow(2) : h);
        }
    }

    /// <summary>
    /// float32 logits shifted by 1 and nothing else: the input gradient of cross-entropy is the same in both types, so
    /// only the forward comparison can see it (a stand-in for oneDNN's wrong LeNet forward).
    /// </summary>
    private sealed class WrongLogitsInFloat32 : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> linear = nn.Linear(16, 3);

        public WrongLogitsInFloat32() : base(nameof(WrongLogitsInFloat32)) => RegisterComponents();

        public override Tensor forward(Tensor x)
        {
            var logits = linear.call(x.flatten(1));
            return x.dtype == ScalarType.Float32 ? logits + 1 : logits;
        }
    }

    /// <summary>Returns the first two input values as logits, to see what the wrapped module receives.</summary>
    private sealed class FirstPixels : nn.Module<Tensor, Tensor>
    {
        public FirstPixels() : base(nameof(FirstPixels)) { }
        public override Tensor forward(Tensor x) => x.flatten(1).narrow(1, 0, 2);
    }

    [Test]
    public void AResidualNetPassesTheModelIsUnchangedAndTheAnswerIsCached()
    {
        torch.manual_seed(1);
        using var model = ImageClassifier.From(new TinyResidualNet(3, 8, 4), ["a", "b", "c", "d"], [3, 8, 8]);
        using var before = model.Predict(rand(3, 3, 8, 8, generator: new Generator(2)));
        var first = InputGradientCheck.Check(model);
        var second = InputGradientCheck.Check(model);
        using var after = model.Predict(rand(3, 3, 8, 8, generator: new Generator(2)));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Passed, Is.True, $"relative error {first.RelativeError}");
            Assert.That(first.RelativeError, Is.LessThan(1e-4));
            Assert.That(first.Cached, Is.False);
            Assert.That(second.Cached, Is.True);
            Assert.That(second.RelativeError, Is.EqualTo(first.RelativeError));
            Assert.That(TestSupport.Same(before, after), Is.True, "the check changed the model's outputs");
            Assert.That(model.parameters().All(p => p.dtype == ScalarType.Float32), Is.True);
            Assert.That(File.Exists(InputGradientCheck.CachePath), Is.True);
        }
    }

    private static Tensor FirstLogitGradient(Classifier model, Tensor input)
    {
        var v = input.detach().requires_grad_(true);
        return autograd.grad([model.call(v).select(1, 0).sum()], [v])[0];
    }

    /// <summary>
    /// The worst relative difference between the batched input gradient and the same gradient taken one sample at a
    /// time (which libtorch gets right), over five tries with one thread and five with two: an independent reference
    /// for whether batched gradients are right under the process's current oneDNN setting.
    /// </summary>
    private static double BatchedVersusOneAtATime(Classifier model, Tensor x)
    {
        using var scope = NewDisposeScope();
        var single = cat(Enumerable.Range(0, (int)x.shape[0]).Select(i => FirstLogitGradient(model, x.narrow(0, i, 1))).ToArray(), 0);
        double scale = single.abs().max().item<float>(), worst = 0;
        int threads = torch.get_num_threads();
        foreach (int t in new[] { 1, 1, 1, 1, 1, 2, 2, 2, 2, 2 })
        {
            torch.set_num_threads(t);
            try
            {
                double rel = (FirstLogitGradient(model, x) - single).abs().max().item<float>() / scale;
                worst = double.IsNaN(rel) ? double.PositiveInfinity : Math.Max(worst, rel);
            }
            finally { torch.set_num_threads(threads); }
        }
        return worst;
    }

    private static Classifier NarrowCnn(int width)
    {
        var spec = ModelZoo.Spec("cnn", [3, 16, 16], ["a", "b"], [0.5f, 0.5f, 0.5f], [0.25f, 0.25f, 0.25f],
            new Dictionary<string, double> { ["width"] = width, ["hidden"] = 8, ["dropout"] = 0 });
        torch.manual_seed(4);
        var model = ModelZoo.Create(spec);
        model.eval();
        return model;
    }

    /// <summary>
    /// Narrow convolutions are built again; whether their batched input gradient is right depends on the machine and
    /// on oneDNN (wrong here with oneDNN on for 4 and 8 output channels: 0.2-0.8 relative error, in every try with one
    /// thread, in some with two). With oneDNN on, the check's verdict must match an independent reference: the same
    /// gradient taken one sample at a time.
    /// </summary>
    [TestCase(4)]
    [TestCase(8)]
    [TestCase(16)]
    public void TheCheckAgreesWithPerSampleGradientsOnNarrowZooModels(int width)
    {
        bool wasOff = NativeRuntime.MkldnnDisabled;
        Assume.That(NativeRuntime.SetMkldnnEnabled(true), Is.True, "oneDNN cannot be switched on here");
        try
        {
            using var model = NarrowCnn(width);
            var verdict = InputGradientCheck.Measure(model);
            double rel = BatchedVersusOneAtATime(model, rand(4, 3, 16, 16, generator: new Generator(9)));
            Assert.That(verdict.Passed, Is.EqualTo(rel < 1e-3), $"check: {verdict.RelativeError:G3}; batched vs one at a time: {rel:G3}");
        }
        finally { NativeRuntime.SetMkldnnEnabled(!wasOff); }
    }

    /// <summary>
    /// What a user relies on: once a model has passed <see cref="InputGradientCheck.Ensure"/> (which switches oneDNN
    /// off where its gradients are wrong), its batched input gradients are right, in every try and thread count.
    /// </summary>
    [TestCase(4)]
    [TestCase(8)]
    [TestCase(16)]
    public void AfterTheCheckBatchedGradientsAreRight(int width)
    {
        bool wasOff = NativeRuntime.MkldnnDisabled;
        Assume.That(NativeRuntime.SetMkldnnEnabled(true), Is.True, "oneDNN cannot be switched on here");
        try
        {
            using var model = NarrowCnn(width);
            InputGradientCheck.Ensure(model);
            double rel = BatchedVersusOneAtATime(model, rand(4, 3, 16, 16, generator: new Generator(9)));
            Assert.That(rel, Is.LessThan(1e-3), $"batched vs one at a time after the check (oneDNN {(NativeRuntime.MkldnnDisabled ? "off" : "on")})");
        }
        finally { NativeRuntime.SetMkldnnEnabled(!wasOff); }
    }

    [Test]
    public void BuffersKeepTheirTypesAfterTheCheck()
    {
        var spec = ModelZoo.Spec("cnn", [1, 12, 12], ["a", "b"], [0.5f], [0.25f], new Dictionary<string, double> { ["width"] = 16, ["hidden"] = 8 });
        using var model = ModelZoo.Create(spec);
        var before = model.named_buffers().ToDictionary(b => b.name, b => b.buffer.dtype);
        InputGradientCheck.Measure(model);
        Assert.That(model.named_buffers().ToDictionary(b => b.name, b => b.buffer.dtype), Is.EqualTo(before));
        Assert.That(before.Values, Has.Some.EqualTo(ScalarType.Int64), "BatchNorm's num_batches_tracked");
    }

    [Test]
    public void TheCacheKeyIsTheStructureNotTheWeights()
    {
        torch.manual_seed(1);
        using var a = ImageClassifier.From(new TinyResidualNet(3, 8, 4), ["a", "b", "c", "d"], [3, 8, 8]);
        using var b = ImageClassifier.From(new TinyResidualNet(3, 8, 4), ["a", "b", "c", "d"], [3, 8, 8]);
        using var c = ImageClassifier.From(new TinyResidualNet(3, 8, 4, width: 24), ["a", "b", "c", "d"], [3, 8, 8]);
        Assert.That(InputGradientCheck.ModelKey(a), Is.EqualTo(InputGradientCheck.ModelKey(b)));
        Assert.That(InputGradientCheck.ModelKey(a), Is.Not.EqualTo(InputGradientCheck.ModelKey(c)));
    }

    [Test]
    public void ADisagreementIsRefusedWithOneLineUnlessSkipped()
    {
        using var model = ImageClassifier.From(new DisagreesInFloat64(), ["a", "b", "c"], [1, 4, 4]);
        using var scope = NewDisposeScope();
        var x = rand(4, 1, 4, 4);
        var y = tensor(new long[] { 0, 1, 2, 0 });
        Assert.That(() => new Fgsm().Run(model, x, y, [0.1]),
            Throws.TypeOf<LabException>().With.Message.StartsWith("model 'DisagreesInFloat64': its float32 logits or input gradient disagree with a float64 reference on this machine")
                .And.Message.Contains("--skip-gradient-check").And.Message.Not.Contains("\n"));
        model.SkipGradientCheck = true;
        using var r = new Fgsm().Run(model, x, y, [0.1]);
        Assert.That(r.Adversarials[0].shape, Is.EqualTo(x.shape));
    }

    [Test]
    public void WrongLogitsWithRightGradientsAreCaughtAndEvaluationRefusesThem()
    {
        using var model = ImageClassifier.From(new WrongLogitsInFloat32(), ["a", "b", "c"], [1, 4, 4]);
        var result = InputGradientCheck.Measure(model);
        using var x = rand(6, 1, 4, 4);
        using var y = tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        using var data = new RobustnessLab.Data.Dataset("random", x.alias(), y.alias(), model.ClassNames);
        bool wasOff = NativeRuntime.MkldnnDisabled;
        try
        {
            using (Assert.EnterMultipleScope())
            {
                Assert.That(result.Passed, Is.False);
                Assert.That(result.RelativeError, Is.GreaterThan(InputGradientCheck.Tolerance));
                Assert.That(() => RobustnessLab.Evaluation.Accuracy.EvaluateChecked(model, data),
                    Throws.TypeOf<LabException>().With.Message.Contains("its float32 logits or input gradient disagree with a float64 reference"));
            }
            model.SkipGradientCheck = true;
            Assert.That(RobustnessLab.Evaluation.Accuracy.EvaluateChecked(model, data).Count, Is.EqualTo(6), "--skip-gradient-check overrides");
        }
        finally { NativeRuntime.SetMkldnnEnabled(!wasOff); }
    }

    [Test]
    public void FromMapsPixelsToTheModulesRangeThenNormalises()
    {
        using var model = ImageClassifier.From(new FirstPixels(), ["a", "b"], [1, 2, 2], mean: [100f], std: [50f], moduleRange: (0, 255));
        using var scope = NewDisposeScope();
        var logits = model.Predict(tensor(new float[] { 0f, 1f, 0.5f, 0.5f }).reshape(1, 1, 2, 2));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(logits[0, 0].item<float>(), Is.EqualTo((0f - 100f) / 50f).Within(1e-5));
            Assert.That(logits[0, 1].item<float>(), Is.EqualTo((255f - 100f) / 50f).Within(1e-5));
            Assert.That(model.ValueRange, Is.EqualTo((0.0, 1.0)));
            Assert.That(model.Spec.Architecture, Is.EqualTo(nameof(FirstPixels)));
        }
    }

    [Test]
    public void FromRefusesBadDescriptions()
    {
        using var m = new FirstPixels();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => ImageClassifier.From(m, ["only"], [1, 2, 2]), Throws.TypeOf<LabException>().With.Message.EqualTo("a classifier needs at least 2 class names"));
            Assert.That(() => ImageClassifier.From(m, ["a", "b"], [2, 2]), Throws.TypeOf<LabException>().With.Message.EqualTo("input shape must be C x H x W, got [2, 2]"));
            Assert.That(() => ImageClassifier.From(m, ["a", "b"], [3, 2, 2], mean: [0.5f]),
                Throws.TypeOf<LabException>().With.Message.EqualTo("normalisation needs one mean and one std per channel: 3 channels, 1 means, 3 stds"));
        }
    }
}
