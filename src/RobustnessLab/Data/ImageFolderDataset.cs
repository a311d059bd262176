using RobustnessLab.Core;
using RobustnessLab.Models;
using static TorchSharp.torch;

namespace RobustnessLab.Data;

/// <summary>
/// A dataset by path with one sub-folder per class, as torchvision's ImageFolder (classes sorted by name, files with
/// an image extension; other files ignored). When the folder holds train/ and test/ (or val/) sub-folders they are
/// the splits; a test/ (or val/) sub-folder alone is the test split; otherwise every image is the test split and the train and validation splits are copies of it (for
/// evaluating and attacking a model; train on a folder with a train/ split). Images are converted and resized to
/// the model's input (<see cref="DataOptions.Options"/> "input_shape" and "preprocess", set by the commands from
/// model.json; without them every image must share the first image's size). Validated before anything is returned:
/// a missing folder, an empty class folder, an unreadable or oversized image, mixed greyscale and colour images,
/// each with one line naming the folder or file.
/// </summary>
public static class ImageFolderDataset
{
    public const string Prefix = "folder";

    public static DataSplits Load(string root, DataOptions options, Device device)
    {
        if (!Directory.Exists(root)) throw new LabException($"dataset folder '{root}' not found");
        string? Split(params string[] names) => names.Select(n => Path.Combine(root, n)).FirstOrDefault(Directory.Exists);
        var trainDir = Split("train");
        var testDir = Split("test", "val", "validation");
        var (shape, preprocess) = Target(options);
        // A model's classes (or options.classes: imagenet, cifar10, a file): folder names are looked up in them.
        IReadOnlyList<string>? named = options.Option("class_names") is { } cn ? cn.Split('\n')
            : options.Option("classes") is { } spec ? ClassNames.Resolve(spec) : null;
        if (trainDir is not null && testDir is not null)
        {
            var train = Read(trainDir, shape, preprocess, device, null, named);
            var test = Read(testDir, shape ?? [train.Channels, train.Height, train.Width], preprocess, device, named is null ? train.ClassNames : null, named);
            var validation = test.Take(Math.Min(test.Count, Math.Max(1, options.ValidationSize)));
            return new DataSplits(Limit(train, options.TrainLimit), validation, Limit(test, options.TestLimit));
        }
        // A split folder on its own (ImageNet's val/ as it is usually kept) is the test split, not a class named "val".
        if (Directory.GetDirectories(root).Length == 1)
        {
            if (testDir is not null) root = testDir;
            else if (trainDir is not null)
                throw new LabException($"{root}: has a train/ split but no test/ (or val/) split beside it; add one, or give the folder of class folders itself");
        }
        var all = Limit(Read(root, shape, preprocess, device, null, named), options.TestLimit);
        return new DataSplits(all.Take(all.Count), all.Take(all.Count), all);
    }

    private static Dataset Limit(Dataset d, int limit)
    {
        if (limit <= 0 || limit >= d.Count) return d;
        var cut = d.Take(limit);
        d.Dispose();
        return cut;
    }

    internal static (int[]? Shape, PreprocessInfo Preprocess) Target(DataOptions o)
    {
        int[]? shape = null;
        if (o.Option("input_shape") is { } s)
            shape = s.Split('x').Select(int.Parse).ToArray();
        var mode = o.Option("preprocess") ?? "resize";
        int? resize = o.Option("preprocess_resize") is { } r ? int.Parse(r, System.Globalization.CultureInfo.InvariantCulture) : null;
        if (mode == "torchvision" && resize is null && shape is not null) resize = PreprocessInfo.Torchvision(Math.Min(shape[1], shape[2])).Resize;
        return (shape, new PreprocessInfo(mode, resize));
    }

    private static Dataset Read(string dir, int[]? shape, PreprocessInfo preprocess, Device device, IReadOnlyList<string>? expectedClasses, IReadOnlyList<string>? named)
    {
        var classDirs = Directory.GetDirectories(dir).OrderBy(d => Path.GetFileName(d), StringComparer.Ordinal).ToArray();
        if (classDirs.Length < (named is null ? 2 : 1)) throw new LabException($"{dir}: needs one sub-folder per class{(named is null ? " (at least 2)" : "")}, found {classDirs.Length}");
        var classes = classDirs.Select(d => Path.GetFileName(d)!).ToArray();
        if (expectedClasses is not null && !classes.SequenceEqual(expectedClasses))
            throw new LabException($"{dir}: classes [{string.Join(", ", classes)}] differ from the train split's [{string.Join(", ", expectedClasses)}]");
        var files = new List<(string Path, int Label)>();
        for (int c = 0; c < classDirs.Length; c++)
        {
            var images = Directory.GetFiles(classDirs[c])
                .Where(f => ImageFile.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                .OrderBy(f => f, StringComparer.Ordinal).ToArray();
            if (images.Length == 0) throw new LabException($"{classDirs[c]}: empty class folder (no {string.Join("/", ImageFile.Extensions)} files)");
            int label = c;
            if (named is not null)
            {
                var folder = Path.GetFileName(classDirs[c]);
                label = named is List<string> l ? l.IndexOf(folder) : named.ToList().IndexOf(folder);
                if (label < 0) throw new LabException($"{classDirs[c]}: class folder '{folder}' is not one of the model's {named.Count} classes (e.g. '{named[0]}')");
            }
            files.AddRange(images.Select(f => (f, label)));
        }
        // Check every header first: nothing is decoded, let alone used, from a folder with one bad file.
        string? first = null;
        int firstChannels = 0, firstW = 0, firstH = 0;
        foreach (var (path, _) in files)
        {
            var (w, h, ch) = ImageFile.Identify(path);
            if (first is null) { first = path; firstChannels = ch; firstW = w; firstH = h; continue; }
            if (ch != firstChannels)
                throw new LabException($"{path}: {Describe(ch)} but {first} is {Describe(firstChannels)}: mixed channel counts");
            if (shape is null && (w != firstW || h != firstH))
                throw new LabException($"{path}: {w}x{h} pixels but {first} is {firstW}x{firstH}; images of different sizes need a model's input size (use the folder with a model)");
        }
        var target = shape ?? [firstChannels, firstH, firstW];
        var pixels = new float[(long)files.Count * target[0] * target[1] * target[2]];
        int per = target[0] * target[1] * target[2];
        for (int i = 0; i < files.Count; i++)
            ImageFile.Load(files[i].Path, target[0], target[1], target[2], preprocess).Pixels.CopyTo(pixels, (long)i * per);
        using var scope = NewDisposeScope();
        var x = tensor(pixels, [files.Count, target[0], target[1], target[2]]).to(device);
        var y = tensor(files.Select(f => (long)f.Label).ToArray()).to(device);
        return new Dataset(Prefix + ":" + dir, x, y, named ?? classes);
    }

    private static string Describe(int channels) => channels == 1 ? "greyscale (1 channel)" : $"colour ({channels} channels)";
}
