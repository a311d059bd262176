namespace RobustnessLab.Experiments;

/// <summary>
/// A stage whose result is computed from earlier stages' results (<see cref="StageContext.Earlier"/>): the runner
/// recomputes it on every run instead of reusing a saved record, since its inputs are not in its fingerprint.
/// </summary>
public interface IReadsEarlierStages;
