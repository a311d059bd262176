using System.Reflection;
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
            // `lab --version`: the package version and the commit it was built from, e.g. 0.1.0+736aeb2c1f0a
            config.SetApplicationVersion(typeof(LabApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown");
            config.PropagateExceptions();
            // A mistyped option (--p-dumbbell-arm for --option p_dumbbell_arm=...) must fail, not be silently ignored.
            config.UseStrictParsing();
            config.AddCommand<InfoCommand>("info").WithDescription("Versions, threads, native runtime status and the datasets found.");
            config.AddCommand<TrainCommand>("train").WithDescription("Train a classifier and write a checkpoint folder.")
                .WithExample("train", "--dataset", "fashion-mnist", "--model", "cnn", "--out", "runs/cnn");
            config.AddCommand<ImportCommand>("import").WithDescription("Import PyTorch weights (torchvision ResNets, RobustBench PreAct-ResNet-18 and WideResNet) as a checkpoint folder.")
                .WithExample("import", "--arch", "resnet50", "--weights", "resnet50.pth", "--classes", "imagenet", "--out", "models/resnet50");
            config.AddCommand<PredictCommand>("predict").WithDescription("Classify one image file of any size: top classes, and logits and probabilities as JSON.")
                .WithExample("predict", "--model", "models/resnet50", "--image", "panda.jpg", "--top", "5");
            config.AddCommand<EvalCommand>("eval").WithDescription("Clean accuracy of a checkpoint, overall and per class.")
                .WithExample("eval", "--model", "runs/cnn");
            config.AddCommand<AttackCommand>("attack").WithDescription("The panda figure: clean image + eps * sign(gradient) = adversarial, as PNG panels and JSON.")
                .WithExample("attack", "--model", "runs/cnn", "--attack", "fgsm", "--eps", "0.1", "--examples", "most-confident", "--out", "figures/fgsm");
            config.AddCommand<RobustnessCommand>("robustness").WithDescription("Attack a checkpoint at several budgets: robust accuracy, success rates, worst case, sanity flags.")
                .WithExample("robustness", "--model", "runs/cnn", "--attacks", "fgsm,pgd,apgd-ce,apgd-t,square", "--eps", "0,0.05,0.1", "--n", "1000", "--out", "robustness.json");
            config.AddCommand<FoolCommand>("fool").WithDescription("Fooling images (Nguyen et al. 2015): unrecognisable images classified with >99% confidence.")
                .WithExample("fool", "--model", "runs/cnn", "--method", "direct", "--out", "runs/fool-direct");
            config.AddBranch("data", data =>
            {
                data.SetDescription("Look at datasets.");
                data.AddCommand<DataPreviewCommand>("preview").WithDescription("Write a grid PNG of a dataset's first renders (gym).")
                    .WithExample("data", "preview", "gym", "--debiased", "--n", "64", "--out", "gym");
            });
            config.AddCommand<VisualizeCommand>("visualize").WithDescription("Feature visualisation of a checkpoint: classes or any objective, as a PNG sheet.")
                .WithExample("visualize", "--model", "runs/cnn", "--class", "Sneaker", "--out", "sneaker");
            config.AddCommand<DumbbellCommand>("dumbbell").WithDescription("Inceptionism's dumbbell-with-arm, reproduced: biased vs debiased gym models, visualised and measured.")
                .WithExample("dumbbell", "--seed", "0", "--out", "runs/dumbbell");
            config.AddCommand<RunExperimentCommand>("run").WithDescription("Run an experiment config: models, stages, results.json and the HTML gallery.")
                .WithExample("run", "experiments/quickstart.yaml")
                .WithExample("run", "experiments/robustness-curves.yaml", "--set", "models.standard.epochs=2", "--shard", "0/4");
            config.AddBranch("config", c =>
            {
                c.SetDescription("Check and print experiment configs.");
                c.AddCommand<ConfigValidateCommand>("validate").WithDescription("Check a config; every problem with file:line:column.")
                    .WithExample("config", "validate", "experiments/quickstart.yaml");
                c.AddCommand<ConfigShowCommand>("show").WithDescription("Print the resolved config (defaults written out) and its sweep points.")
                    .WithExample("config", "show", "experiments/quickstart.yaml", "--set", "models.standard.epochs=2");
                c.AddCommand<ConfigSchemaCommand>("schema").WithDescription("Every config key with its type, default and meaning.");
            });
            config.AddCommand<GalleryCommand>("gallery").WithDescription("Rebuild the HTML gallery of a run, or of every run in a folder and its index.html.")
                .WithExample("gallery", "results");
            config.AddCommand<CheckCommand>("check").WithDescription("Regression gate: check a run's results against rules; exit 1 on a regression.")
                .WithExample("check", "results/quickstart", "--baseline", "experiments/baselines/quickstart.yaml");
            config.AddCommand<MergeCommand>("merge").WithDescription("Merge shard folders into one run folder (results.json and gallery).")
                .WithExample("merge", "results/sweep/shards/0", "results/sweep/shards/1", "--out", "results/sweep");
            config.AddBranch("sweep", c =>
            {
                c.SetDescription("Job files that run a sweep's shards on a cluster, ending with the merge.");
                c.AddCommand<SweepSlurmCommand>("slurm").WithDescription("A Slurm array job (SLURM_ARRAY_TASK_ID) and a dependent merge job.")
                    .WithExample("sweep", "slurm", "experiments/robustness-curves.yaml", "--shards", "8");
                c.AddCommand<SweepKubernetesCommand>("k8s").WithDescription("A Kubernetes Indexed Job (JOB_COMPLETION_INDEX) and a merge Job.")
                    .WithExample("sweep", "k8s", "experiments/robustness-curves.yaml");
            });
            config.AddCommand<BenchCommand>("bench").WithDescription("Measure matmul GFLOP/s and the train/FGSM/PGD step throughput as a fraction of it.");
        });
        return app;
    }
}
