namespace RobustnessLab.Core;

/// <summary>
/// An error a researcher can act on (bad input, missing data, corrupt file). The CLI prints its message as one
/// line and exits 1; anything else is a bug and keeps its stack trace under --verbose.
/// </summary>
public class LabException : Exception
{
    public LabException(string message) : base(message) { }
    public LabException(string message, Exception inner) : base(message, inner) { }
}
