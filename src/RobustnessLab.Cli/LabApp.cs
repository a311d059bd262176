using RobustnessLab.Cli.Commands;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli;

/// <summary>The `lab` command tree. Tests build the same app to check exit codes and messages.</summary>
public static class LabApp
{
    public static CommandApp Create()
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.SetApplicationName("lab");
            config.PropagateExceptions();
            config.AddCommand<InfoCommand>("info").WithDescription("Versions, threads, native runtime status and the datasets found.");
            config.AddCommand<TrainCommand>("train").WithDescription("Train a classifier and write a checkpoint folder.")
                .WithExample("train", "--dataset", "fashion-mnist", "--model", "cnn", "--out", "runs/cnn");
            config.AddCommand<EvalCommand>("eval").WithDescription("Clean accuracy of a checkpoint, overall and per class.")
                .WithExample("eval", "--model", "runs/cnn");
            config.AddCommand<AttackCommand>("attack").WithDescription("The panda figure: clean image + eps * sign(gradient) = adversarial, as PNG panels and JSON.")
                .WithExample("attack", "--model", "runs/cnn", "--attack", "fgsm", "--eps", "0.1", "--examples", "most-confident", "--out", "figures/fgsm");
            config.AddCommand<RobustnessCommand>("robustness").WithDescription("Attack a checkpoint at several budgets: robust accuracy, success rates, worst case, sanity flags.")
                .WithExample("robustness", "--model", "runs/cnn", "--attacks", "fgsm,pgd,apgd-ce,apgd-t,square", "--eps", "0,0.05,0.1", "--n", "1000", "--out", "robustness.json");
            config.AddCommand<FoolCommand>("fool").WithDescription("Fooling images (Nguyen et al. 2015): unrecognisable images classified with >99% confidence.")
                .WithExample("fool", "--model", "runs/cnn", "--method", "direct", "--out", "runs/fool-direct");
            config.AddCommand<BenchCommand>("bench").WithDescription("Measure matmul GFLOP/s and the train/FGSM/PGD step throughput as a fraction of it.");
        });
        return app;
    }
}
