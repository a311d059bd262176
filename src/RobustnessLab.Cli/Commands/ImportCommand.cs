using System.ComponentModel;
using System.Globalization;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Models;
using RobustnessLab.Models.Import;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary>`lab import`: a thin adapter from flags to <see cref="ImportOptions"/> and <see cref="ModelImport"/>.</summary>
public sealed class ImportCommand : LabCommand<ImportCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandOption("--arch <NAME>")]
        [Description("resnet18, resnet50, preact-resnet18, wide-resnet (or any zoo model)")]
        public string? Arch { get; set; }

        [CommandOption("--weights <FILE>")]
        [Description("PyTorch state dict: .safetensors, or torch.save .pt/.pth (wrappers state_dict/model and the module. prefix are unwrapped)")]
        public string? Weights { get; set; }

        [CommandOption("--out <DIR>")]
        [Description("checkpoint folder to write (model.json + model.safetensors)")]
        public string? Out { get; set; }

        [CommandOption("--classes <SPEC>")]
        [Description("imagenet, cifar10 or a file with one class name per line (default: per architecture)")]
        public string? Classes { get; set; }

        [CommandOption("--input <CxHxW>")]
        [Description("input shape, e.g. 3x224x224 (default: per architecture)")]
        public string? Input { get; set; }

        [CommandOption("--mean <LIST>")]
        [Description("per-channel normalisation mean the weights expect, e.g. 0.485,0.456,0.406")]
        public string? Mean { get; set; }

        [CommandOption("--std <LIST>")]
        [Description("per-channel normalisation std the weights expect")]
        public string? Std { get; set; }

        [CommandOption("--preprocess <MODE>")]
        [Description("how images of any size become inputs: torchvision (resize shorter side, centre crop), resize, none")]
        public string? Preprocess { get; set; }

        [CommandOption("--arg <K=V>")]
        [Description("architecture argument, repeatable, e.g. --arg depth=28 --arg widen_factor=10")]
        public string[]? Args { get; set; }

        public override ValidationResult Validate() =>
            string.IsNullOrWhiteSpace(Arch) ? ValidationResult.Error("--arch NAME is required")
            : string.IsNullOrWhiteSpace(Weights) ? ValidationResult.Error("--weights FILE is required")
            : string.IsNullOrWhiteSpace(Out) ? ValidationResult.Error("--out DIR is required")
            : ValidationResult.Success();
    }

    public static ImportOptions ToOptions(Settings s)
    {
        UsageException.Wrap(() => ModelZoo.Get(s.Arch!));
        return new ImportOptions
        {
            Architecture = s.Arch!,
            WeightsPath = s.Weights!,
            Classes = s.Classes,
            InputShape = s.Input is null ? null : ParseShape(s.Input),
            Mean = s.Mean is null ? null : LabSettings.ParseNumberList(s.Mean, "--mean").Select(v => (float)v).ToArray(),
            Std = s.Std is null ? null : LabSettings.ParseNumberList(s.Std, "--std").Select(v => (float)v).ToArray(),
            Preprocess = s.Preprocess,
            Args = LabSettings.ParseNumericPairs(s.Args, "--arg"),
        };
    }

    private static int[] ParseShape(string text)
    {
        var parts = text.Split('x', 'X');
        var dims = new int[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out dims[i]) || dims[i] <= 0)
                throw new UsageException($"--input expects C x H x W such as 3x224x224, got '{text}'");
        if (dims.Length != 3) throw new UsageException($"--input expects C x H x W such as 3x224x224, got '{text}'");
        return dims;
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var options = ToOptions(s);
        if (s.Preprocess is not null) UsageException.Wrap(() => PreprocessInfo.Parse(s.Preprocess, 1));
        CreateContext(s);
        var r = ModelImport.Run(options, s.Out!);
        var how = r.Format + (r.Wrapper is null ? "" : $", unwrapped from '{r.Wrapper}'") + (r.StrippedPrefix is null ? "" : $", '{r.StrippedPrefix}' prefix removed");
        AnsiConsole.MarkupLine(Markup.Escape(
            $"imported {r.Architecture} ({r.Parameters:N0} parameters, {r.Tensors} tensors, {how}): input {string.Join("x", r.InputShape)}, " +
            $"{r.NumClasses} classes, preprocessing {r.Preprocess.Mode}{(r.Preprocess.Resize is { } z ? $" (shorter side {z}, centre crop)" : "")} -> {s.Out} ({r.Seconds:F1} s)"));
        return CliHost.Ok;
    }
}
