using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Experiments;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab sweep slurm|k8s FILE</c>: a job file that runs the sweep's shards on a cluster and ends with the merge.</summary>
public abstract class SweepJobCommand : LabCommand<SweepJobCommand.Settings>
{
    public sealed class Settings : ConfigFileSettings
    {
        [CommandOption("--shards <N>")]
        [Description("number of shards (default: one per sweep point)")]
        public int Shards { get; set; }

        [CommandOption("--out <DIR>")]
        [Description("merged run folder on the cluster (default: results/<name>)")]
        public string? Out { get; set; }

        [CommandOption("-w|--write <FILE>")]
        [Description("write the job file here instead of printing it")]
        public string? Write { get; set; }

        [CommandOption("--lab <COMMAND>")]
        [Description("how the cluster invokes the CLI (default: ./lab)")]
        [DefaultValue("./lab")]
        public string Lab { get; set; } = "./lab";

        [CommandOption("--image <IMAGE>")]
        [Description("container image (k8s)")]
        [DefaultValue("robustnesslab:latest")]
        public string Image { get; set; } = "robustnesslab:latest";

        [CommandOption("--volume-claim <NAME>")]
        [Description("persistent volume claim for results (k8s)")]
        [DefaultValue("robustnesslab-results")]
        public string VolumeClaim { get; set; } = "robustnesslab-results";
    }

    protected abstract string Render(Experiment experiment, JobScripts.Options options);

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var experiment = ExperimentLoader.Load(s.File, s.Set);
        new ExperimentRunner().Preflight(experiment, ShardSpec.Whole);
        int shards = s.Shards > 0 ? s.Shards : experiment.Points.Count;
        var options = new JobScripts.Options(s.File, s.Out ?? $"results/{experiment.Name}", shards, s.Set, s.Threads > 0 ? s.Threads : experiment.Config.Threads,
            s.Lab, s.Image, s.VolumeClaim, DataDir: s.DataDir);
        var text = Render(experiment, options);
        if (s.Write is null) Console.Out.Write(text);
        else
        {
            AtomicFile.WriteAllText(s.Write, text);
            Console.Error.WriteLine($"lab: wrote {s.Write} ({shards} shards of {experiment.Points.Count} points, then the merge)");
        }
        return CliHost.Ok;
    }
}
