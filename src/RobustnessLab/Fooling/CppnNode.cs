namespace RobustnessLab.Fooling;

/// <summary>A CPPN node: its id (unique within a genome) and its function. Inputs ignore the function.</summary>
public sealed record CppnNode(int Id, CppnActivation Activation);
