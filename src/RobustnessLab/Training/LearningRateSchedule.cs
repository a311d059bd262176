namespace RobustnessLab.Training;

/// <summary>Learning rate as a function of the global step; pure, so a resumed run gets the same rates.</summary>
public static class LearningRateSchedule
{
    /// <param name="options">Schedule name, base rate and step settings.</param>
    /// <param name="step">Global optimiser step, 0-based.</param>
    /// <param name="stepsPerEpoch">Optimiser steps per epoch.</param>
    public static double At(TrainingOptions options, long step, int stepsPerEpoch) =>
        At(options.Schedule, options.LearningRate, options.Epochs, step, stepsPerEpoch, options.Gamma, options.StepEpochs);

    /// <param name="schedule">One of <see cref="TrainingOptions.Schedules"/>.</param>
    /// <param name="lr">Base (for onecycle: peak) rate.</param>
    /// <param name="epochs">Epochs of the whole run.</param>
    /// <param name="step">Global optimiser step, 0-based.</param>
    /// <param name="stepsPerEpoch">Optimiser steps per epoch.</param>
    /// <param name="gamma">Step schedule: the factor applied every <paramref name="stepEpochs"/> epochs.</param>
    /// <param name="stepEpochs">Step schedule: epochs between two decays.</param>
    public static double At(string schedule, double lr, int epochs, long step, int stepsPerEpoch, double gamma, int stepEpochs)
    {
        long total = (long)epochs * stepsPerEpoch;
        double t = total <= 1 ? 0 : (double)step / (total - 1);
        switch (schedule)
        {
            case "constant":
                return lr;
            case "step":
                return lr * Math.Pow(gamma, step / stepsPerEpoch / stepEpochs);
            case "cosine":
                return 0.5 * lr * (1 + Math.Cos(Math.PI * t));
            case "onecycle":
                // Smith and Topin 2017 (arXiv:1708.07120), as in PyTorch's OneCycleLR with cosine annealing:
                // warm up from lr/25 to lr over the first 25% of steps, then anneal to lr/1e4.
                const double pct = 0.25;
                double start = lr / 25, end = lr / 1e4;
                if (t < pct) return start + (lr - start) * 0.5 * (1 - Math.Cos(Math.PI * t / pct));
                double u = (t - pct) / (1 - pct);
                return end + (lr - end) * 0.5 * (1 + Math.Cos(Math.PI * u));
            default:
                throw new ArgumentException($"unknown schedule {schedule}");
        }
    }
}
