using RobustnessLab.Experiments;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab sweep k8s FILE</c>.</summary>
public sealed class SweepKubernetesCommand : SweepJobCommand
{
    protected override string Render(Experiment experiment, JobScripts.Options options) => JobScripts.Kubernetes(experiment, options);
}
