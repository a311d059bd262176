using RobustnessLab.Cli;
using RobustnessLab.Cli.Infrastructure;

namespace RobustnessLab.Tests.Cli;

/// <summary>Runs the `lab` command line in the test process and captures its error stream and plain Console output (Spectre's tables go to the console it first saw) (callers are NonParallelizable).</summary>
internal static class InProcessCli
{
    public static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var (oldOut, oldErr) = (Console.Out, Console.Error);
        Console.SetOut(output);
        Console.SetError(error);
        try { return (CliHost.Run(LabApp.Create(), args), output.ToString(), error.ToString()); }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }
}
