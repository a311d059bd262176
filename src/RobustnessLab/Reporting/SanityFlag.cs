namespace RobustnessLab.Reporting;

/// <summary>A warning about a result that may not mean what it seems (label leaking, gradient masking...), shown in red.</summary>
/// <param name="Severity">"error" or "warning".</param>
public sealed record SanityFlag(string Severity, string Message, string? Model = null);
