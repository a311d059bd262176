using RobustnessLab.Cli.Commands;
using RobustnessLab.Cli.Infrastructure;
using Spectre.Console.Cli;

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
    config.AddBranch("data", data =>
    {
        data.SetDescription("Look at datasets.");
        data.AddCommand<DataPreviewCommand>("preview").WithDescription("Write a grid PNG of a dataset's first renders (gym).")
            .WithExample("data", "preview", "gym", "--debiased", "--n", "64", "--out", "gym.png");
    });
    config.AddCommand<VisualizeCommand>("visualize").WithDescription("Feature visualisation of a checkpoint: classes or any objective, as a PNG sheet.")
        .WithExample("visualize", "--model", "runs/cnn", "--class", "Sneaker", "--out", "sneaker.png");
    config.AddCommand<DumbbellCommand>("dumbbell").WithDescription("Inceptionism's dumbbell-with-arm, reproduced: biased vs debiased gym models, visualised and measured.")
        .WithExample("dumbbell", "--seed", "0", "--out", "runs/dumbbell");
    config.AddCommand<BenchCommand>("bench").WithDescription("Measure matmul GFLOP/s and the train/FGSM step throughput as a fraction of it.");
});
return CliHost.Run(app, args);
