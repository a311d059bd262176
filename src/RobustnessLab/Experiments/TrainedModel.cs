using RobustnessLab.Models;

namespace RobustnessLab.Experiments;

/// <summary>A model of the run, ready for stages: the network, and the record describing where it came from.</summary>
public sealed record TrainedModel(string Id, Classifier Model, ModelRecord Record);
