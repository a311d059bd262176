using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Data;
using RobustnessLab.Models;
using RobustnessLab.Training;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

public sealed class TrainCommand : LabCommand<TrainCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandOption("--dataset <NAME>")]
        [Description("dataset name")]
        [DefaultValue("fashion-mnist")]
        public string Dataset { get; set; } = "fashion-mnist";

        [CommandOption("--model <ARCH>")]
        [Description("softmax, mlp, maxout, cnn (default), lenet or resnet")]
        public string? Model { get; set; }

        [CommandOption("--arg <KEY=VALUE>")]
        [Description("model argument, repeatable (e.g. --arg width=64)")]
        public string[] ModelArgs { get; set; } = [];

        [CommandOption("-o|--out <DIR>")]
        [Description("checkpoint folder to write (required)")]
        public string? Out { get; set; }

        [CommandOption("--epochs <N>")][Description("default 5")] public int? Epochs { get; set; }
        [CommandOption("--lr <RATE>")][Description("peak learning rate (default 0.003)")] public double? LearningRate { get; set; }
        [CommandOption("--optimizer <NAME>")][Description("adam (default), adamw or sgd")] public string? Optimizer { get; set; }
        [CommandOption("--schedule <NAME>")][Description("constant, step, cosine or onecycle (default)")] public string? Schedule { get; set; }
        [CommandOption("--momentum <M>")][Description("SGD momentum (default 0.9)")] public double? Momentum { get; set; }
        [CommandOption("--weight-decay <WD>")][Description("default 0.0005")] public double? WeightDecay { get; set; }
        [CommandOption("--batch-size <N>")][Description("default 128")] public int? BatchSize { get; set; }
        [CommandOption("--seed <N>")][Description("seed of the initial weights, batch order and dropout")][DefaultValue(0)] public int Seed { get; set; }
        [CommandOption("--split-seed <N>")][Description("seed of the validation split (and of the gym scenes), as a config's split_seed (default 0; with --resume: the checkpoint's)")] public int? SplitSeed { get; set; }
        [CommandOption("--validation <N>")][Description("training rows held out for validation (default 5000)")] public int? Validation { get; set; }
        [CommandOption("--train-limit <N>")][Description("use at most N training rows (0: all)")][DefaultValue(0)] public int TrainLimit { get; set; }
        [CommandOption("--workers <N>")][Description("worker threads that split each batch's adversarial attack (pgd objective), --threads shared among them (default 1)")] public int? Workers { get; set; }
        [CommandOption("--resume")][Description("continue the run checkpointed in --out")] public bool Resume { get; set; }
        [CommandOption("--force")][Description("replace a checkpoint already in --out")] public bool Force { get; set; }

        [CommandOption("--adv <OBJECTIVE>")]
        [Description("adversarial training objective (see lab train --help); default: standard")]
        public string? Adv { get; set; }

        [CommandOption("--adv-eps <EPS>")]
        [Description("Linf budget of the adversarial objective, in [[0,1]] pixel units")]
        public double? AdvEps { get; set; }

        [CommandOption("--adv-arg <KEY=VALUE>")]
        [Description("further objective setting, repeatable (e.g. steps=10, beta=6)")]
        public string[] AdvArgs { get; set; } = [];

        public override ValidationResult Validate()
        {
            if (string.IsNullOrWhiteSpace(Out)) return ValidationResult.Error("--out DIR is required");
            return ValidationResult.Success();
        }
    }

    /// <summary>
    /// The training service's options from the flags: <see cref="ModelTrainingOptions"/>' (and <see cref="TrainingOptions"/>')
    /// defaults, overridden by each flag given (what a config's <c>models:</c> entry does with its keys). Validated: a bad
    /// value is a usage error.
    /// </summary>
    public static ModelTrainingOptions BuildOptions(Settings s)
    {
        var objectiveArgs = LabSettings.ParseNumericPairs(s.AdvArgs, "--adv-arg");
        if (s.AdvEps is { } eps) objectiveArgs["eps"] = eps;
        if (s.Adv is null && objectiveArgs.Count > 0) throw new UsageException("--adv-eps/--adv-arg need --adv");
        var d = new ModelTrainingOptions();
        var t = d.Training;
        var options = d with
        {
            Architecture = s.Model ?? d.Architecture,
            Args = LabSettings.ParseNumericPairs(s.ModelArgs, "--arg"),
            Training = t with
            {
                Optimizer = s.Optimizer ?? t.Optimizer,
                LearningRate = s.LearningRate ?? t.LearningRate,
                Momentum = s.Momentum ?? t.Momentum,
                WeightDecay = s.WeightDecay ?? t.WeightDecay,
                Schedule = s.Schedule ?? t.Schedule,
                BatchSize = s.BatchSize ?? t.BatchSize,
                Epochs = s.Epochs ?? t.Epochs,
                Seed = s.Seed,
                Objective = s.Adv ?? t.Objective,
                ObjectiveArgs = new SortedDictionary<string, double>(objectiveArgs, StringComparer.Ordinal),
            },
        };
        var resolved = options;
        UsageException.Wrap(() =>
        {
            resolved = options.Resolved();
            resolved.Validate();
        });
        return resolved;
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        // Validate everything before touching data or the output folder: nothing half-written on bad input.
        var options = BuildOptions(s);
        UsageException.Wrap(() => DatasetRegistry.Validate(s.Dataset));
        if (s.Workers <= 0) throw new UsageException($"--workers must be positive, got {s.Workers}");
        Core.AtomicFile.EnsureWritableDirectory(Path.GetDirectoryName(Path.GetFullPath(s.Out!))!);
        Checkpoint.CheckOutput(s.Out!, s.Resume, s.Force);

        var ctx = CreateContext(s, s.Seed);
        if (s.Workers is { } workers) ctx = ctx with { Workers = workers };
        // The split has its own seed, as in a config (dataset.options.split_seed), so `lab train --seed 1` and a config's
        // `seed: 1` model see the same validation rows; a resumed run keeps the rows it started with.
        var defaults = new DataOptions();
        int splitSeed = s.SplitSeed ?? (s.Resume && Checkpoint.Exists(s.Out!) ? Checkpoint.ReadInfo(s.Out!).DataSeed : defaults.Seed);
        using var data = DatasetRegistry.Load(s.Dataset, defaults with
        {
            DataDir = s.DataDir,
            ValidationSize = s.Validation ?? defaults.ValidationSize,
            Seed = splitSeed,
            TrainLimit = s.TrainLimit,
        }, ctx.Device);
        AnsiConsole.MarkupLine($"[grey]training[/] {Markup.Escape(options.Architecture)} on {Markup.Escape(data.Name)}: " +
                               $"{data.Train.Count:N0} train / {data.Validation.Count:N0} val / {data.Test.Count:N0} test, {(ctx.Workers > 1 ? $"{ctx.Workers} workers x {Math.Max(1, ctx.Threads / ctx.Workers)} threads" : $"{ctx.Threads} threads")}, objective {Markup.Escape(options.Training.Objective)}");
        var (model, trained) = ConsoleProgress.Run(s, $"train {options.Architecture}", bar => new ModelTraining(ctx).Run(options, data, s.Dataset,
            new TrainingCheckpointFolder(s.Out!, s.Resume),
            bar.For<TrainingProgress>((b, p) => b.Set((p.Epoch - 1) * p.StepsPerEpoch + p.Step, p.Epochs * p.StepsPerEpoch,
                $"epoch {p.Epoch}/{p.Epochs} {p.Phase} loss {p.Loss:F4} acc {p.Accuracy:P1} {p.ImagesPerSecond:N0} img/s")), cancel));
        model.Dispose();
        var result = trained.Training;

        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("epoch", "train loss", "train acc", "val acc", "test acc", "lr", "seconds", "img/s", "RSS MB");
        foreach (var r in result.History)
            table.AddRow($"{r.Epoch}", $"{r.TrainLoss:F4}", $"{r.TrainAccuracy:F4}", $"{r.ValAccuracy:F4}", $"{r.TestAccuracy:F4}",
                $"{r.LearningRate:G3}", $"{r.Seconds:F1}", $"{r.ImagesPerSecond:N0}", $"{r.RssMb:F0}");
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"{Markup.Escape(trained.Spec.Architecture)}: {trained.Parameters:N0} parameters, test accuracy [bold]{result.Metrics["test_accuracy"]:F4}[/] after {result.History.Count} epochs " +
                               $"({result.Metrics["train_seconds"]:F1} s training){(result.Resumed ? " (resumed)" : "")}");
        AnsiConsole.MarkupLine($"checkpoint: {Markup.Escape(Path.GetFullPath(s.Out!))}");
        foreach (var w in result.Warnings) Warn(w);
        return CliHost.Ok;
    }
}
