using System.Text.Json.Serialization;
using RobustnessLab.Core;

namespace RobustnessLab.Fooling;

/// <summary>
/// How a CPPN child differs from its parent (NEAT-style operators, Stanley and Miikkulainen 2002; Stanley 2007):
/// split a connection by a new node, add a connection, change a node's function, perturb weights. The defaults
/// are structurally aggressive, like the fooling paper's released sferes2 configuration (add-connection and
/// add-neuron 0.5 there): on the Fashion-MNIST cnn, add-node 0.3 / add-connection 0.5 / change-function 0.3 /
/// weight sigma 1 took all ten classes past 0.99 within 70 generations, where 0.1 / 0.2 / 0.1 / 0.5 left two
/// classes near 0.92 after 200 (seed 0, population 200).
/// </summary>
public sealed record CppnMutation
{
    /// <summary>Probability that a child gets a new node (splitting an enabled connection).</summary>
    [JsonPropertyName("add_node")] public double AddNode { get; init; } = 0.3;
    /// <summary>Probability that a child gets a new feed-forward connection.</summary>
    [JsonPropertyName("add_connection")] public double AddConnection { get; init; } = 0.5;
    /// <summary>Probability that a child changes one node's function.</summary>
    [JsonPropertyName("change_activation")] public double ChangeActivation { get; init; } = 0.3;
    /// <summary>Probability that each weight is perturbed (at least one always is).</summary>
    [JsonPropertyName("weight_rate")] public double WeightRate { get; init; } = 0.25;
    /// <summary>Standard deviation of a weight perturbation.</summary>
    [JsonPropertyName("weight_sigma")] public double WeightSigma { get; init; } = 1.0;
    /// <summary>Weights are kept in [-max, max].</summary>
    [JsonPropertyName("max_weight")] public double MaxWeight { get; init; } = 8;
    /// <summary>Hidden nodes a genome may not exceed (keeps rendering cheap).</summary>
    [JsonPropertyName("max_hidden")] public int MaxHidden { get; init; } = 40;

    public void Validate()
    {
        foreach (var (name, p) in new[] { ("add-node", AddNode), ("add-connection", AddConnection), ("change-activation", ChangeActivation), ("weight", WeightRate) })
            if (!(p >= 0 && p <= 1)) throw new LabException($"CPPN {name} probability must be in [0, 1], got {p}");
        if (!(WeightSigma > 0)) throw new LabException($"CPPN weight sigma must be > 0, got {WeightSigma}");
        if (!(MaxWeight > 0)) throw new LabException($"CPPN max weight must be > 0, got {MaxWeight}");
        if (MaxHidden < 0) throw new LabException($"CPPN max hidden nodes must be >= 0, got {MaxHidden}");
    }
}
