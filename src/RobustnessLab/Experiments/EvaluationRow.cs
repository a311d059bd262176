using RobustnessLab.Evaluation;

namespace RobustnessLab.Experiments;

/// <summary>
/// One row of <c>evaluations</c>: what one <see cref="RobustnessReport"/> ran on and found beyond its attack rows (the
/// data, the criterion, the seed, clean accuracy, the zero-gradient fraction, the minimal-epsilon search, the time, and
/// how many (attack, batch) outcomes a resumed run read from its checkpoint instead of running).
/// </summary>
public sealed record EvaluationRow(
    string Model,
    string Dataset,
    int Samples,
    string Criterion,
    int Seed,
    double CleanAccuracy,
    double ZeroGradientFraction,
    MinimalEpsilonReport? MinimalEpsilon,
    double Seconds,
    int ResumedOutcomes = 0);
