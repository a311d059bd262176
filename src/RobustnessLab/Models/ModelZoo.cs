using RobustnessLab.Core;
using RobustnessLab.Models.Architectures;
using TorchSharp;
using static TorchSharp.torch;

namespace RobustnessLab.Models;

/// <summary>
/// Architectures by name, for any input shape C x H x W and any class count. Arguments (all optional) live in
/// <see cref="ModelSpec.Args"/> and are written to model.json, so a checkpoint rebuilds exactly.
/// </summary>
public static class ModelZoo
{
    public sealed record Entry(string Name, string Description, IReadOnlyDictionary<string, double> Defaults, Func<ModelSpec, nn.Module<Tensor, Tensor>> Build);

    private static readonly Dictionary<string, Entry> Entries = new(StringComparer.OrdinalIgnoreCase)
    {
        ["softmax"] = new("softmax", "one linear layer on the pixels (Goodfellow 2014's shallow softmax)",
            new Dictionary<string, double>(), BuildSoftmax),
        ["mlp"] = new("mlp", "fully connected ReLU network: layers x hidden units, dropout",
            new Dictionary<string, double> { ["hidden"] = 512, ["layers"] = 2, ["dropout"] = 0.2 }, BuildMlp),
        ["maxout"] = new("maxout", "maxout network (Goodfellow et al. 2013): layers of units x pieces, dropout",
            new Dictionary<string, double> { ["units"] = 240, ["pieces"] = 5, ["layers"] = 2, ["dropout"] = 0.2 }, BuildMaxout),
        ["cnn"] = new("cnn", "two conv blocks (3x3 conv, batch norm, ReLU, 2x2 max pool) + two dense layers",
            new Dictionary<string, double> { ["width"] = 32, ["hidden"] = 128, ["batchnorm"] = 1, ["dropout"] = 0.25 }, BuildCnn),
        ["lenet"] = new("lenet", "LeNet as in Caffe's MNIST example (Nguyen 2015's model): 5x5 conv 20, pool, 5x5 conv 50, pool, dense 500, ReLU",
            new Dictionary<string, double> { ["width"] = 20, ["hidden"] = 500 }, BuildLeNet),
        ["resnet"] = new("resnet", "small pre-activation ResNet: 3 stages of depth blocks, widths width/2w/4w",
            new Dictionary<string, double> { ["depth"] = 2, ["width"] = 16 }, BuildResNet),
        ["resnet18"] = new("resnet18", "torchvision ResNet-18 (ImageNet, 224 px; torchvision's state-dict names)",
            new Dictionary<string, double>(), s => new TorchvisionResNet(false, [2, 2, 2, 2], s.Channels, s.NumClasses)),
        ["resnet50"] = new("resnet50", "torchvision ResNet-50 (ImageNet, 224 px; torchvision's state-dict names)",
            new Dictionary<string, double>(), s => new TorchvisionResNet(true, [3, 4, 6, 3], s.Channels, s.NumClasses)),
        ["preact-resnet18"] = new("preact-resnet18", "pre-activation ResNet-18 for CIFAR-10 (Wong et al. 2020, RobustBench names)",
            new Dictionary<string, double>(), s => new PreActResNet18(s.Channels, s.NumClasses)),
        ["wide-resnet"] = new("wide-resnet", "Wide ResNet depth-widen_factor for CIFAR-10 (RobustBench names; WRN-28-10 by default)",
            new Dictionary<string, double> { ["depth"] = 28, ["widen_factor"] = 10, ["dropout"] = 0 }, BuildWideResNet),
    };

    public static IReadOnlyCollection<string> Names => Entries.Keys;

    public static Entry Get(string name) => Entries.TryGetValue(name, out var e)
        ? e
        : throw new LabException($"unknown model '{name}'; valid: {string.Join(", ", Names)}");

    /// <summary>The architecture's arguments with its defaults filled in (explicit args win); an unknown argument is an error.</summary>
    public static SortedDictionary<string, double> ResolveArgs(string architecture, IReadOnlyDictionary<string, double>? args)
    {
        var entry = Get(architecture);
        var merged = new SortedDictionary<string, double>(StringComparer.Ordinal);
        foreach (var (k, v) in entry.Defaults) merged[k] = v;
        if (args is not null)
            foreach (var (k, v) in args)
            {
                if (!entry.Defaults.ContainsKey(k))
                    throw new LabException($"model '{entry.Name}' has no argument '{k}'; valid: {(entry.Defaults.Count == 0 ? "(none)" : string.Join(", ", entry.Defaults.Keys))}");
                merged[k] = v;
            }
        return merged;
    }

    /// <summary>Builds a spec with the architecture's defaults filled in (explicit args win).</summary>
    public static ModelSpec Spec(string architecture, int[] inputShape, IReadOnlyList<string> classNames, float[] mean, float[] std,
        IReadOnlyDictionary<string, double>? args = null)
    {
        var entry = Get(architecture);
        var merged = ResolveArgs(architecture, args);
        if (inputShape.Length != 3 || inputShape.Any(d => d <= 0)) throw new LabException($"input shape must be C x H x W, got [{string.Join(", ", inputShape)}]");
        if (classNames.Count < 2) throw new LabException("a classifier needs at least 2 classes");
        if (mean.Length != inputShape[0] || std.Length != inputShape[0]) throw new LabException("normalisation needs one mean and one std per channel");
        return new ModelSpec
        {
            Architecture = entry.Name,
            Args = merged,
            InputShape = inputShape,
            ClassNames = classNames,
            Mean = mean,
            Std = std,
        };
    }

    /// <summary>Creates the model on the given device. Weights are initialised from the torch generator (seed it first).</summary>
    public static Classifier Create(ModelSpec spec, Device? device = null)
    {
        var entry = Get(spec.Architecture);
        var model = new ImageClassifier(spec, entry.Build(spec));
        if (device is not null) model.to(device);
        return model;
    }

    private static nn.Module<Tensor, Tensor> BuildSoftmax(ModelSpec s) =>
        nn.Sequential(nn.Flatten(), nn.Linear(s.Channels * s.Height * s.Width, s.NumClasses));

    private static nn.Module<Tensor, Tensor> BuildMlp(ModelSpec s)
    {
        int hidden = Positive(s, "hidden", 512), layers = Positive(s, "layers", 2);
        double p = Probability(s, "dropout", 0.2);
        var mods = new List<nn.Module<Tensor, Tensor>> { nn.Flatten() };
        int inF = s.Channels * s.Height * s.Width;
        for (int i = 0; i < layers; i++)
        {
            mods.Add(nn.Linear(inF, hidden));
            mods.Add(nn.ReLU());
            if (p > 0) mods.Add(nn.Dropout(p));
            inF = hidden;
        }
        mods.Add(nn.Linear(inF, s.NumClasses));
        return nn.Sequential(mods);
    }

    private static nn.Module<Tensor, Tensor> BuildMaxout(ModelSpec s)
    {
        int units = Positive(s, "units", 240), pieces = Positive(s, "pieces", 5), layers = Positive(s, "layers", 2);
        double p = Probability(s, "dropout", 0.2);
        var mods = new List<nn.Module<Tensor, Tensor>> { nn.Flatten() };
        int inF = s.Channels * s.Height * s.Width;
        for (int i = 0; i < layers; i++)
        {
            mods.Add(new Maxout(inF, units, pieces));
            if (p > 0) mods.Add(nn.Dropout(p));
            inF = units;
        }
        mods.Add(nn.Linear(inF, s.NumClasses));
        return nn.Sequential(mods);
    }

    /// <summary>
    /// Convolution width. Any positive width is built: whether narrow convolutions get right input gradients on this
    /// machine is checked per model by <see cref="InputGradientCheck"/> before attacks, fooling, visualisation and
    /// training.
    /// </summary>
    private static int ConvWidth(ModelSpec s, int fallback) => Positive(s, "width", fallback);

    private static nn.Module<Tensor, Tensor> BuildCnn(ModelSpec s)
    {
        int w = ConvWidth(s, 32), hidden = Positive(s, "hidden", 128);
        bool bn = s.Arg("batchnorm", 1) != 0;
        double p = Probability(s, "dropout", 0.25);
        if (s.Height < 4 || s.Width < 4) throw new LabException($"cnn needs inputs of at least 4x4, got {s.Height}x{s.Width}");
        var mods = new List<nn.Module<Tensor, Tensor>>();
        int inC = s.Channels;
        foreach (var outC in new[] { w, 2 * w })
        {
            mods.Add(nn.Conv2d(inC, outC, 3, padding: 1, bias: !bn));
            if (bn) mods.Add(nn.BatchNorm2d(outC));
            mods.Add(nn.ReLU());
            mods.Add(new MaxPool2x2());
            inC = outC;
        }
        mods.Add(nn.Flatten());
        mods.Add(nn.Linear(2 * w * (s.Height / 4) * (s.Width / 4), hidden));
        mods.Add(nn.ReLU());
        if (p > 0) mods.Add(nn.Dropout(p));
        mods.Add(nn.Linear(hidden, s.NumClasses));
        return nn.Sequential(mods);
    }

    /// <summary>
    /// Caffe's MNIST LeNet (LeCun et al. 1998, as in Caffe's examples/mnist/lenet.prototxt, the model Nguyen, Yosinski,
    /// Clune 2015 fooled): conv 5x5 x width, max pool 2, conv 5x5 x 2.5 width, max pool 2, dense hidden, ReLU, dense
    /// classes. No nonlinearity between the convolutions, as in Caffe's definition.
    /// </summary>
    private static nn.Module<Tensor, Tensor> BuildLeNet(ModelSpec s)
    {
        int w = ConvWidth(s, 20), hidden = Positive(s, "hidden", 500);
        int w2 = (int)Math.Round(2.5 * w);
        int h = ((s.Height - 4) / 2 - 4) / 2, wd = ((s.Width - 4) / 2 - 4) / 2;
        if (h < 1 || wd < 1) throw new LabException($"lenet needs inputs of at least 16x16, got {s.Height}x{s.Width}");
        return nn.Sequential(
            nn.Conv2d(s.Channels, w, 5), new MaxPool2x2(),
            nn.Conv2d(w, w2, 5), new MaxPool2x2(),
            nn.Flatten(), nn.Linear(w2 * h * wd, hidden), nn.ReLU(), nn.Linear(hidden, s.NumClasses));
    }

    private static nn.Module<Tensor, Tensor> BuildResNet(ModelSpec s)
    {
        int depth = Positive(s, "depth", 2), w = ConvWidth(s, 16);
        var mods = new List<nn.Module<Tensor, Tensor>> { nn.Conv2d(s.Channels, w, 3, padding: 1, bias: false) };
        int inC = w;
        for (int stage = 0; stage < 3; stage++)
        {
            int outC = w << stage;
            for (int b = 0; b < depth; b++)
            {
                mods.Add(new PreActBlock(inC, outC, stage > 0 && b == 0 ? 2 : 1));
                inC = outC;
            }
        }
        mods.Add(nn.BatchNorm2d(inC));
        mods.Add(nn.ReLU());
        mods.Add(nn.AdaptiveAvgPool2d(1));
        mods.Add(nn.Flatten());
        mods.Add(nn.Linear(inC, s.NumClasses));
        return nn.Sequential(mods);
    }

    private static nn.Module<Tensor, Tensor> BuildWideResNet(ModelSpec s)
    {
        int depth = Positive(s, "depth", 28), k = Positive(s, "widen_factor", 10);
        if (depth < 10 || (depth - 4) % 6 != 0) throw new LabException($"wide-resnet depth must be 6n + 4 (10, 16, 22, 28, 34, ...), got {depth}");
        return new WideResNet(depth, k, Probability(s, "dropout", 0), s.Channels, s.NumClasses);
    }

    private static int Positive(ModelSpec s, string name, int fallback)
    {
        double v = s.Arg(name, fallback);
        if (v < 1 || v != Math.Floor(v)) throw new LabException($"model argument '{name}' must be a positive integer, got {v}");
        return (int)v;
    }

    private static double Probability(ModelSpec s, string name, double fallback)
    {
        double v = s.Arg(name, fallback);
        if (v < 0 || v >= 1) throw new LabException($"model argument '{name}' must be in [0, 1), got {v}");
        return v;
    }
}
