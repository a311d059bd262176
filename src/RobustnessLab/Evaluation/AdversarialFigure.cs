using RobustnessLab.Attacks;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Evaluation;

/// <summary>
/// The data of the panda figure ("panda + 0.007 x sign(grad) = gibbon", Goodfellow, Shlens, Szegedy 2014,
/// arXiv:1412.6572, fig. 1) for chosen test images: predictions, confidences and the three images, and the prediction
/// for the adversarial image as a 16-bit PNG stores it (what a saved file gives back). The one service of <c>lab attack</c>
/// and the <c>figures:</c> stage; <c>Reporting.AdversarialFigures</c> writes the files.
/// </summary>
public static class AdversarialFigure
{
    /// <summary>The figure for one model: its panels with the settings that made them.</summary>
    public static AdversarialFigureReport Run(Classifier model, Dataset data, FigureOptions options, string modelName, string? title = null,
        CancellationToken cancel = default)
    {
        options.Validate();
        long[]? rows = options.Rows?.Select(r => (long)r).ToArray() ?? (options.Class is { } c ? RowsOf(data, c) : null);
        if (rows is not null && rows.Any(r => r >= data.Count))
            throw new LabException($"rows: the test set has {data.Count} rows (0..{data.Count - 1})");
        using var subset = rows is null ? null : data.Subset(rows);
        var panels = Build(model, subset ?? data, options, cancel);
        // Rows of a subset are renumbered from 0: report the test-set row.
        if (rows is not null) panels = panels.Select(p => p with { Index = (int)rows[p.Index] }).ToList();
        return new AdversarialFigureReport(modelName, options.Attack.Name, options.Eps, options.Criterion.Describe(),
            options.MostConfident ? "most-confident" : "first-correct", title, panels);
    }

    /// <summary>The panels for the first (or most confidently) correctly classified rows of <paramref name="data"/>.</summary>
    public static IReadOnlyList<AdversarialPanel> Build(Classifier model, Dataset data, FigureOptions options, CancellationToken cancel = default)
    {
        options.Validate();
        var attack = (FixedEpsilonAttack)AttackRegistry.Create(options.Attack.Name, options.Attack.Args);
        var spec = model.Spec;
        if (spec.Channels != data.Channels || spec.Height != data.Height || spec.Width != data.Width)
            throw new LabException($"model input shape {spec.Channels}x{spec.Height}x{spec.Width} does not match dataset '{data.Name}' ({data.Channels}x{data.Height}x{data.Width})");
        var criterion = options.Criterion;
        criterion.Validate(model.NumClasses);
        var rows = Choose(model, data, options);
        var panels = new List<AdversarialPanel>();
        using var scope = NewDisposeScope();
        var (x, y) = data.Batch(rows, 0, rows.Length, model.Device);
        using var generator = new Generator(LabContext.DeriveSeed(options.Seed, 0xF16), CPU);
        using var result = attack.Run(model, x, y, [options.Eps], criterion, generator, cancel);
        var adv = result.Adversarials[0];
        var rounded = adv.mul(255).round().div(255);
        // A 16-bit PNG holds round(65535 v) / 65535 exactly: the prediction a saved file gives back.
        var stored = adv.mul(65535).round().div(65535);
        var goal = new AttackGoal(y, tensor(result.Targets, device: x.device), criterion);
        Tensor direction;
        string directionLabel;
        if (attack is Fgsm)
        {
            direction = model.InEvalMode(() => Fgsm.StepDirection(new AttackModel(model), x, goal));
            directionLabel = criterion.IsTargeted ? "−sign(∇ₓJ(θ, x, t))" : "sign(∇ₓJ(θ, x, y))";
        }
        else
        {
            direction = options.Eps > 0 ? (adv - x) / options.Eps : zeros_like(x);
            directionLabel = "(x′ − x) / ε";
        }
        var clean = Classify(model, x);
        var attacked = Classify(model, adv);
        var afterRounding = Classify(model, rounded);
        var saved = Classify(model, stored);
        var linf = Distance.Linf.Measure(adv - x).cpu().data<float>().ToArray();
        var l2 = Distance.L2.Measure(adv - x).cpu().data<float>().ToArray();
        for (int i = 0; i < rows.Length; i++)
            panels.Add(new AdversarialPanel
            {
                Index = (int)rows[i],
                Attack = attack.Name,
                Eps = options.Eps,
                TrueLabel = model.ClassNames[(int)y[i].item<long>()],
                Clean = clean[i],
                Adversarial = attacked[i],
                Rounded8Bit = afterRounding[i],
                Saved = saved[i],
                Success = result.Success[0][i],
                Linf = linf[i],
                L2 = l2[i],
                DirectionLabel = directionLabel,
                CleanImage = ImageData.FromTensor(x[i]),
                DirectionImage = ImageData.FromTensor(direction[i]),
                AdversarialImage = ImageData.FromTensor(adv[i]),
            });
        return panels;
    }

    /// <summary>Top-1 class and confidence for each image of a batch.</summary>
    public static IReadOnlyList<Prediction> Classify(Classifier model, Tensor x)
    {
        using var scope = NewDisposeScope();
        var probs = model.Predict(x).softmax(1);
        var (conf, pred) = probs.max(1);
        var c = conf.cpu().data<float>().ToArray();
        var p = pred.cpu().data<long>().ToArray();
        return p.Select((k, i) => new Prediction((int)k, model.ClassNames[(int)k], c[i])).ToList();
    }

    /// <summary>Prediction for one image (e.g. a saved PNG read back).</summary>
    public static Prediction Classify(Classifier model, ImageData image)
    {
        using var scope = NewDisposeScope();
        return Classify(model, image.ToTensor(model.Device))[0];
    }

    private static long[] RowsOf(Dataset data, string className)
    {
        int c = data.ClassNames.ToList().IndexOf(className);
        if (c < 0) throw new LabException($"class '{className}' is not in dataset '{data.Name}' ({string.Join(", ", data.ClassNames)})");
        using var scope = NewDisposeScope();
        var labels = data.Labels.cpu().data<long>().ToArray();
        return Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).Select(i => (long)i).ToArray();
    }

    private static long[] Choose(Classifier model, Dataset data, FigureOptions options)
    {
        int pool = Math.Min(options.Pool, data.Count);
        using var scope = NewDisposeScope();
        var x = data.Images.narrow(0, 0, pool).to(model.Device);
        var labels = data.Labels.narrow(0, 0, pool).cpu().data<long>().ToArray();
        var probs = model.Predict(x).softmax(1);
        var (conf, pred) = probs.max(1);
        var c = conf.cpu().data<float>().ToArray();
        var p = pred.cpu().data<long>().ToArray();
        var correct = Enumerable.Range(0, pool).Where(i => p[i] == labels[i]).ToList();
        if (correct.Count == 0) throw new LabException($"the model classifies none of the first {pool} test images correctly: nothing to attack");
        var chosen = options.MostConfident
            ? correct.OrderByDescending(i => c[i]).ThenBy(i => i).Take(options.Examples)
            : correct.Take(options.Examples);
        return chosen.Select(i => (long)i).ToArray();
    }
}
