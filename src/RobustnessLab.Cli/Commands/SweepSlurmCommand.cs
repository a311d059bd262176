using RobustnessLab.Experiments;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab sweep slurm FILE</c>.</summary>
public sealed class SweepSlurmCommand : SweepJobCommand
{
    protected override string Render(Experiment experiment, JobScripts.Options options) => JobScripts.Slurm(experiment, options);
}
