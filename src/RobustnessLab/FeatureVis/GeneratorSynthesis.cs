using System.Diagnostics;
using RobustnessLab.Core;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.FeatureVis;

/// <summary>What generator synthesis raises for each picture's class.</summary>
public enum GeneratorObjective
{
    /// <summary>log softmax(model(x))[c]: stops pulling once the class is certain, so the code prior then holds the picture.</summary>
    LogProbability,

    /// <summary>
    /// The class's logit, as Nguyen et al. 2016 (they maximise a pre-softmax unit): keeps pulling after the class is
    /// certain, toward whatever raises the model's evidence for it most, against the code prior alone.
    /// </summary>
    Logit,
}

/// <summary>Settings of <see cref="GeneratorSynthesis"/>; defaults defined once here.</summary>
public sealed record GeneratorSynthesisOptions
{
    /// <summary>What is raised for each picture's class (the penalty for leaving the codes' Gaussian is the same).</summary>
    public GeneratorObjective Objective { get; init; } = GeneratorObjective.LogProbability;

    /// <summary>
    /// With <see cref="GeneratorObjective.LogProbability"/>: the softmax's temperature T (log softmax(logits / T)). Above
    /// 1 the pull stops later (a larger margin over the other classes is needed before it fades); as T grows it tends
    /// to the logit's margin over the classes' mean, divided by T.
    /// </summary>
    public double Temperature { get; init; } = 1;

    /// <summary>Adam steps on the codes.</summary>
    public int Steps { get; init; } = 200;

    public double LearningRate { get; init; } = 0.05;

    /// <summary>
    /// Weight of the code prior: the mean over code dimensions of the squared distance from the training codes' mean in
    /// standard deviations, per image, against the log-probability of its class. Larger keeps the pictures closer to
    /// what the generator drew in training; 0 lets the codes go anywhere.
    /// </summary>
    public double PriorWeight { get; init; } = 1;

    /// <summary>
    /// Weight of staying near each picture's start: the mean over code dimensions of the squared distance from the
    /// start's code in standard deviations, per image. With it the picture is the start changed as little as the class
    /// needs (what the model adds to the start to be sure of the class), not a picture drawn afresh. 0 (the default)
    /// leaves it out.
    /// </summary>
    public double StartWeight { get; init; }

    /// <summary>
    /// Weight of the image prior: the mean squared pixel difference between each picture and the prior's own drawing of
    /// it (decode, encode, decode), per image. An autoencoder trained with noise draws images near its training data
    /// back toward them, so this residual is small on scenes it knows and large on texture it cannot draw twice
    /// (Alain and Bengio 2014: a denoising autoencoder's residual points along the data density's gradient; Nguyen et
    /// al. 2017, "Plug and Play Generative Networks", use it as a prior). 0 (the default) leaves it out.
    /// </summary>
    public double ManifoldWeight { get; init; }

    /// <summary>Steps at which to keep the images besides the last.</summary>
    public IReadOnlyList<int> SaveAt { get; init; } = [];

    public void Validate()
    {
        if (Steps < 1) throw new LabException($"generator synthesis: steps must be positive, got {Steps}");
        if (!(LearningRate > 0)) throw new LabException($"generator synthesis: learning rate must be positive, got {LearningRate}");
        if (!(PriorWeight >= 0)) throw new LabException($"generator synthesis: prior weight must be >= 0, got {PriorWeight}");
        if (!(StartWeight >= 0) || double.IsInfinity(StartWeight)) throw new LabException($"generator synthesis: start weight must be >= 0 and finite, got {StartWeight}");
        if (!(ManifoldWeight >= 0) || double.IsInfinity(ManifoldWeight)) throw new LabException($"generator synthesis: manifold weight must be >= 0 and finite, got {ManifoldWeight}");
        if (!(Temperature > 0) || double.IsInfinity(Temperature)) throw new LabException($"generator synthesis: temperature must be positive and finite, got {Temperature}");
    }
}

/// <summary>
/// Class pictures drawn through a <see cref="GeneratorPrior"/> (Nguyen et al. 2016, arXiv:1605.09304): from the code of a
/// start image, Adam steps on the code raise the log-probability the classifier gives the wanted class, minus a penalty
/// for leaving the training codes' Gaussian; the picture is the decoder's image of the final code, resized to the
/// classifier's input. Objective per image: f(model(resize(G(z))))[c] - w mean_d ((z_d - mu_d) / sd_d)^2, f the
/// log-probability (default: it stops pulling once the class is certain, so the prior then holds the picture) or the
/// logit (<see cref="GeneratorObjective"/>). The model and the generator run in eval mode; neither's parameters change.
/// </summary>
public static class GeneratorSynthesis
{
    /// <summary>
    /// Image i starts from the code of <paramref name="starts"/>[i] ([N, C, S, S] in [0, 1], S the prior's side) and moves
    /// toward class <paramref name="classes"/>[i]. The result's objective is each image's log-probability or logit of its
    /// class (<see cref="GeneratorSynthesisOptions.Objective"/>).
    /// </summary>
    public static VisualizationResult Render(Classifier model, GeneratorPrior prior, IReadOnlyList<int> classes, Tensor starts, GeneratorSynthesisOptions options,
        IReadOnlyList<int> seeds, IProgress<VisualizationProgress>? progress = null, CancellationToken cancel = default)
    {
        options.Validate();
        int n = classes.Count;
        if (starts.shape[0] != n || seeds.Count != n) throw new LabException($"generator synthesis: {n} classes, {starts.shape[0]} starts and {seeds.Count} seeds must agree");
        if (starts.dim() != 4 || starts.shape[1] != prior.Channels || starts.shape[2] != prior.Side || starts.shape[3] != prior.Side)
            throw new LabException($"generator synthesis: starts must be [N, {prior.Channels}, {prior.Side}, {prior.Side}], got [{string.Join(", ", starts.shape)}]");
        if (prior.Channels != model.Spec.Channels) throw new LabException($"generator synthesis: the prior draws {prior.Channels}-channel images, the model takes {model.Spec.Channels}");
        foreach (int c in classes)
            if (c < 0 || c >= model.NumClasses) throw new LabException($"generator synthesis: class {c} is out of range 0..{model.NumClasses - 1}");
        InputGradientCheck.Ensure(model);
        var resize = Transforms.Resize(model.Spec.Height, model.Spec.Width);
        var sw = Stopwatch.StartNew();
        var device = model.Device;
        var (mu, sd) = prior.CodeStatistics;

        return model.InEvalMode(() =>
        {
            using var target = tensor(classes.Select(c => (long)c).ToArray()).to(device);
            Tensor Value(Tensor logits) => (options.Objective == GeneratorObjective.Logit ? logits : nn.functional.log_softmax(logits / options.Temperature, 1))
                .gather(1, target.view(-1, 1)).view(-1);
            using var z0 = prior.Encode(starts).to(device);
            using var z = new TorchSharp.Modules.Parameter(z0.clone(), requires_grad: true);
            using var optimizer = optim.Adam([z], options.LearningRate);
            var saveAt = new SortedSet<int>(options.SaveAt) { options.Steps };
            var snapshots = new List<VisualizationSnapshot>();
            for (int s = 1; s <= options.Steps; s++)
            {
                cancel.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var drawn = prior.Decode(z);
                var value = Value(model.call(resize(drawn, new Random(0))));
                var away = ((z - mu) / sd).square().mean(new long[] { 1 });
                var loss = -(value - away * options.PriorWeight).sum();
                if (options.StartWeight > 0) loss = loss + options.StartWeight * ((z - z0) / sd).square().mean(new long[] { 1 }).sum();
                if (options.ManifoldWeight > 0) loss = loss + options.ManifoldWeight * prior.Residual(drawn).sum();
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                if (saveAt.Contains(s) || progress is not null && (s % 16 == 0 || s == options.Steps))
                {
                    var values = value.detach().cpu().data<float>().Select(v => (double)v).ToArray();
                    if (saveAt.Contains(s) && s < options.Steps) snapshots.Add(new VisualizationSnapshot(s, ImageData.FromBatch(drawn.detach()), values));
                    progress?.Report(new VisualizationProgress(s, options.Steps, values.Average()));
                }
            }

            using var final = NewDisposeScope();
            using var none = no_grad();
            var x = prior.Decode(z).clamp(0, 1);
            var logits = model.call(resize(x, new Random(0)));
            var finalValues = Value(logits).cpu().data<float>().Select(v => (double)v).ToArray();
            var probs = nn.functional.softmax(logits, 1).cpu();
            var rows = Enumerable.Range(0, n).Select(i => probs[i].data<float>().Select(v => (double)v).ToArray()).ToList();
            var images = ImageData.FromBatch(x);
            snapshots.Add(new VisualizationSnapshot(options.Steps, images, finalValues));
            return new VisualizationResult
            {
                Objective = (options.Objective == GeneratorObjective.Logit ? "logit" : "log-probability") +
                    " of each image's class, drawn through a generator prior (Nguyen et al. 2016)",
                Seeds = seeds,
                Steps = options.Steps,
                Images = images,
                Snapshots = snapshots,
                FinalObjective = finalValues,
                ClassProbabilities = rows,
                Seconds = sw.Elapsed.TotalSeconds,
            };
        });
    }
}
