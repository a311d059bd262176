using RobustnessLab.Core;

namespace RobustnessLab.Data;

/// <summary>Class-name lists by name ("imagenet", "cifar10") or from a text file with one name per line.</summary>
public static class ClassNames
{
    public static readonly IReadOnlyList<string> Cifar10 = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    private static readonly Lazy<IReadOnlyList<string>> ImageNetNames = new(() =>
    {
        using var stream = typeof(ClassNames).Assembly.GetManifestResourceStream("RobustnessLab.Data.imagenet-classes.txt")
            ?? throw new LabException("the ImageNet class list is missing from this build");
        using var reader = new StreamReader(stream);
        return Lines(reader.ReadToEnd());
    });

    /// <summary>The 1,000 ImageNet-1k classes in torchvision's order (index = logit).</summary>
    public static IReadOnlyList<string> ImageNet => ImageNetNames.Value;

    /// <summary>"imagenet", "cifar10", or a path to a text file with one class name per line.</summary>
    public static IReadOnlyList<string> Resolve(string spec)
    {
        if (spec.Equals("imagenet", StringComparison.OrdinalIgnoreCase)) return ImageNet;
        if (spec.Equals("cifar10", StringComparison.OrdinalIgnoreCase)) return Cifar10;
        if (!File.Exists(spec)) throw new LabException($"class names: '{spec}' is neither imagenet, cifar10 nor an existing file (one name per line)");
        var names = Lines(File.ReadAllText(spec));
        if (names.Count < 2) throw new LabException($"{spec}: needs at least 2 class names, one per line");
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new LabException($"{spec}: class '{duplicate.Key}' appears twice");
        return names;
    }

    private static List<string> Lines(string text) =>
        text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToList();
}
