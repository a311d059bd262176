using System.ComponentModel;
using System.Globalization;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Infrastructure;

/// <summary>Options every command shares: device, threads, seed, data folder, verbosity.</summary>
public class LabSettings : CommandSettings
{
    [CommandOption("--device <DEVICE>")]
    [Description("cpu (default), cuda or cuda:N (needs a CUDA TorchSharp build)")]
    [DefaultValue("cpu")]
    public string Device { get; set; } = "cpu";

    [CommandOption("--threads <N>")]
    [Description("libtorch intra-op threads (default: one per core)")]
    [DefaultValue(0)]
    public int Threads { get; set; }

    [CommandOption("--data-dir <DIR>")]
    [Description("dataset folder (default: $FASHION_MNIST_DIR, else /usr/share/datasets/fashion-mnist)")]
    public string? DataDir { get; set; }

    [CommandOption("--verbose")]
    [Description("stack traces on errors")]
    public bool Verbose { get; set; }

    [CommandOption("--skip-gradient-check")]
    [Description("do not compare models' float32 input gradients with float64 before attacking, fooling, visualising or training")]
    public bool SkipGradientCheck { get; set; }

    [CommandOption("--quiet")]
    [Description("no progress bars")]
    public bool Quiet { get; set; }

    /// <summary>Parses repeated key=value options into a numeric dictionary (usage error when malformed).</summary>
    public static Dictionary<string, double> ParseNumericPairs(IEnumerable<string>? pairs, string option)
    {
        var result = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var p in pairs ?? [])
        {
            int eq = p.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !double.TryParse(p[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                throw new UsageException($"{option} expects key=number, got '{p}'");
            result[p[..eq]] = v;
        }
        return result;
    }

    /// <summary>Parses a comma-separated list of numbers (usage error when malformed).</summary>
    public static double[] ParseNumberList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var values = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
                throw new UsageException($"{option} expects comma-separated numbers, got '{text}'");
        if (values.Length == 0) throw new UsageException($"{option} needs at least one number");
        return values;
    }
}
