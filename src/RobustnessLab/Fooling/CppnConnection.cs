namespace RobustnessLab.Fooling;

/// <summary>A weighted connection between two CPPN nodes; disabled connections stay in the genome (split by add-node).</summary>
public sealed record CppnConnection(int From, int To, double Weight, bool Enabled = true);
