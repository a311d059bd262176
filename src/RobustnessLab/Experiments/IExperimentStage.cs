namespace RobustnessLab.Experiments;

/// <summary>
/// A stage of an experiment. It reads its config section and the run's models and data from the
/// <see cref="StageContext"/>, writes any image files through it, and returns a plain, JSON-serialisable result
/// (the record of its library: a robustness report, a fooling report...) plus how to show it. It never prints.
/// </summary>
public interface IExperimentStage
{
    string Name { get; }

    /// <summary>Raise when the same section would now give a different result: resumed runs then recompute it.</summary>
    int Version { get; }

    StageOutput Run(StageContext context);
}
