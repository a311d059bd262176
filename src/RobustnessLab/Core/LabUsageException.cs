namespace RobustnessLab.Core;

/// <summary>
/// A mistake in what the caller asked for (an option value, a rule, a limit exceeded), as opposed to a failure while
/// doing it. The CLI prints its message as one line and exits 2, so a script can tell a typo from a regression.
/// </summary>
public class LabUsageException : LabException
{
    public LabUsageException(string message) : base(message) { }
}
