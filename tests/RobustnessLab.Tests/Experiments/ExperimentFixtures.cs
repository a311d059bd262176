using System.Diagnostics;
using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Data;

namespace RobustnessLab.Tests.Experiments;

/// <summary>Temp folders, tiny configs and the `lab` CLI as a separate process, for the Experiments tests.</summary>
internal static class ExperimentFixtures
{
    /// <summary>A fresh folder under /tmp (never inside the repository).</summary>
    public static string TempDir(string name)
    {
        var dir = Path.Combine(Path.GetTempPath(), "robustnesslab-tests", $"{name}-{Environment.ProcessId}-{Guid.NewGuid():N}"[..Math.Min(60, name.Length + 20)]);
        Directory.CreateDirectory(dir);
        return dir;
    }

    public static string Write(string dir, string file, string text)
    {
        var path = Path.Combine(dir, file);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A config that trains in about a second on one thread: a 1-layer MLP on 600 Fashion-MNIST rows.</summary>
    public static string TinyConfig(string name, int epochs = 1, string extra = "", int trainLimit = 600, string architecture = "mlp", string args = "{hidden: 16, layers: 1}") => $$"""
name: {{name}}
seed: 5
threads: 1
dataset:
  name: fashion-mnist
  options: {train_limit: {{trainLimit}}, validation_size: 100, test_limit: 200}
models:
  small:
    architecture: {{architecture}}
    args: {{args}}
    epochs: {{epochs}}
    batch_size: 64
eval: {}
{{extra}}

""";

    public static void RequireData() => Assume.That(FashionMnist.IsAvailable(), "Fashion-MNIST is not installed (CI installs it)");

    public static LabContext Lab() => LabContext.Create("cpu", 0, threads: 1);

    /// <summary>The CLI built beside the tests (the test project references it).</summary>
    public static string LabDll => Path.Combine(AppContext.BaseDirectory, "lab.dll");

    public static ProcessStartInfo LabStart(string workingDirectory, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(LabDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["NO_COLOR"] = "1";
        psi.Environment["COLUMNS"] = "200";
        return psi;
    }

    /// <summary>Runs `lab ARGS` to completion; returns exit code and output.</summary>
    public static (int Code, string Out, string Err) RunLab(string workingDirectory, params string[] args)
    {
        using var p = Process.Start(LabStart(workingDirectory, args))!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail($"lab {string.Join(" ", args)} did not finish in 5 minutes");
        }
        p.WaitForExit();
        return (p.ExitCode, stdout.Result, stderr.Result);
    }
}
