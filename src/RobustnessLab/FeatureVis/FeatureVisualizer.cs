using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>
/// Optimises images to maximise an <see cref="Objective"/> (activation maximisation: Erhan et al. 2009; Olah,
/// Mordvintsev, Schubert 2017). Each step: image from the parametrisation, random transforms per image, the model
/// through <c>call()</c> (so probes see the layers), objective minus regularisers, gradient with respect to the
/// parametrisation only (autograd.grad), an Adam step, an optional blur. The model runs in eval mode and its
/// parameters' gradients are never touched; the caller's mode is restored.
/// </summary>
public static class FeatureVisualizer
{
    public static VisualizationResult Render(Classifier model, Objective objective, VisualizationOptions options,
        IProgress<VisualizationProgress>? progress = null, CancellationToken cancel = default)
    {
        var spec = model.Spec;
        options.Validate(spec.Height, spec.Width);
        InputGradientCheck.Ensure(model);
        int size = options.ImageSize == 0 ? Math.Max(spec.Height, spec.Width) : options.ImageSize;
        var full = objective;
        if (options.L2Weight > 0) full -= options.L2Weight * Objectives.L2();
        if (options.TvWeight > 0) full -= options.TvWeight * Objectives.TotalVariation();
        var transform = Transforms.Compose(
            options.CustomTransform ?? options.Transforms switch
            {
                "lucid" => Transforms.LucidStandard(),
                "none" => Transforms.None(),
                _ => Transforms.Standard(size),
            },
            Transforms.Resize(spec.Height, spec.Width));
        var sw = Stopwatch.StartNew();
        var device = model.Device;

        return model.InEvalMode(() =>
        {
            using var probe = full.Layers.Count > 0 ? new ActivationProbe(model, full.Layers) : null;
            var generators = options.Seeds.Select(s => new Generator(LabContext.DeriveSeed(s, 0xF1), CPU)).ToList();
            var rngs = options.Seeds.Select(s => new Random((int)(LabContext.DeriveSeed(s, 0xF2) & 0x7fffffff))).ToList();
            using var param = ImageParameterization.Create(options.Parameterization, generators, spec.Channels, size, size, options.Decorrelate, device, options.InitSd);
            foreach (var g in generators) g.Dispose();
            using var adam = new InputAdam(param.Parameters, options.LearningRate);
            var saveAt = new SortedSet<int>(options.SaveAt) { options.Steps };
            var snapshots = new List<VisualizationSnapshot>();
            for (int step = 1; step <= options.Steps; step++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                probe?.Clear();
                var image = param.Image();
                // One forward pass for the whole batch, each image under its own random transform. The model runs in
                // eval mode (BatchNorm uses its running statistics), so image i's value depends on image i alone
                // unless the objective couples the batch on purpose (diversity).
                var inputs = new List<Tensor>(rngs.Count);
                for (int i = 0; i < rngs.Count; i++) inputs.Add(transform(image.narrow(0, i, 1), rngs[i]));
                var values = full.Compute(new ObjectiveContext(image, model.call(cat(inputs, 0)), probe));
                var loss = -values.sum();
                var grads = autograd.grad([loss], param.Parameters.ToList());
                adam.Step(grads);
                if (options.BlurEvery > 0 && step % options.BlurEvery == 0) param.Blur(options.BlurSigma);
                if (step == options.Steps && options.FinalBlurSigma > 0) param.Blur(options.FinalBlurSigma);
                if (saveAt.Contains(step) || progress is not null && (step % 16 == 0 || step == options.Steps))
                {
                    var vals = values.detach().cpu().data<float>().Select(v => (double)v).ToArray();
                    if (saveAt.Contains(step))
                    {
                        using var _ = no_grad();
                        snapshots.Add(new VisualizationSnapshot(step, ImageData.FromBatch(param.Image()), vals));
                    }
                    progress?.Report(new VisualizationProgress(step, options.Steps, vals.Average()));
                }
            }

            // The model's view of the final images, untransformed (only resized to its input).
            using var final = NewDisposeScope();
            using var ng = no_grad();
            probe?.Clear();
            var img = param.Image();
            var logitsFinal = model.call(Transforms.Resize(spec.Height, spec.Width)(img, new Random(0)));
            var finalValues = objective.Compute(new ObjectiveContext(img, logitsFinal, probe)).cpu().data<float>().Select(v => (double)v).ToArray();
            var probs = nn.functional.softmax(logitsFinal, 1).cpu();
            var probRows = Enumerable.Range(0, (int)probs.shape[0]).Select(i => probs[i].data<float>().Select(v => (double)v).ToArray()).ToList();
            return new VisualizationResult
            {
                Objective = objective.Description,
                Seeds = options.Seeds,
                Steps = options.Steps,
                Images = snapshots[^1].Images,
                Snapshots = snapshots,
                FinalObjective = finalValues,
                ClassProbabilities = probRows,
                Seconds = sw.Elapsed.TotalSeconds,
            };
        });
    }
}
