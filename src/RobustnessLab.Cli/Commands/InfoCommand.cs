using System.Runtime.InteropServices;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;
using RobustnessLab.Data;
using RobustnessLab.Models;
using Spectre.Console;
using TorchSharp;

namespace RobustnessLab.Cli.Commands;

public sealed class InfoCommand : LabCommand<InfoCommand.Settings>
{
    public sealed class Settings : LabSettings;

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var t = new Table().Border(TableBorder.Simple).AddColumn("item").AddColumn("value");
        void Row(string k, string v) => t.AddRow(Markup.Escape(k), Markup.Escape(v));
        Row("RobustnessLab commit", Provenance.GitCommitOfBuild());
        Row(".NET", RuntimeInformation.FrameworkDescription);
        Row("OS", RuntimeInformation.OSDescription);
        Row("TorchSharp", NativeRuntime.TorchSharpVersion);
        bool loaded = NativeRuntime.IsLoaded;
        Row("libtorch loaded", loaded ? $"yes (libtorch {NativeRuntime.LibTorchVersion})" : "NO: " + NativeRuntime.Error);
        if (NativeRuntime.NativeSource is { Directory: { } from } source)
            Row("libtorch natives", source.FromNuGetCache ? $"{from} (NuGet cache: the .NET tool does not carry them)" : from);
        bool needs = NativeRuntime.SystemNeedsCompatStep();
        var applied = NativeRuntime.CompatStepApplied();
        Row("system libstdc++ has GLIBCXX_3.4.32", needs ? "no (Debian 12 / GCC 12)" : "yes");
        Row("compat step (weak GLIBCXX_3.4.32)", applied switch
        {
            true => "applied to the output (or tool package) copy of libLibTorchSharp.so",
            false => needs ? "NOT applied (rebuild with dotnet build)" : "not needed",
            null => "not applicable (library has no such requirement or was not found)",
        });
        if (loaded)
        {
            var ctx = CreateContext(s);
            Row("threads", $"{torch.get_num_threads()} of {Environment.ProcessorCount} cores");
            Row("device", ctx.Device.ToString());
            Row("CUDA available", torch.cuda.is_available() ? "yes" : "no");
            Row("glibc malloc tuned", NativeAllocator.EnsureTuned() ? "yes (mmap threshold 32 MB, trim threshold 512 MB; RL_DEFAULT_MALLOC=1 keeps glibc's defaults)" : "no");
            double canary = InputGradientCheck.CanaryRelativeError();
            Row("input-gradient canary (3->4 conv, batch 2, oneDNN on)", canary <= InputGradientCheck.Tolerance
                ? $"right (float32 vs float64 relative error {canary:G2})"
                : $"WRONG (relative error {canary:G2}); each model is checked before it is attacked, and oneDNN is switched off where its gradients are wrong (--skip-gradient-check overrides)");
            if (!NativeRuntime.MkldnnDisabled && NativeRuntime.SetMkldnnEnabled(false))
            {
                double off = InputGradientCheck.CanaryRelativeError();
                NativeRuntime.SetMkldnnEnabled(true);
                Row("input-gradient canary, oneDNN off", off <= InputGradientCheck.Tolerance ? $"right (relative error {off:G2})" : $"WRONG (relative error {off:G2})");
            }
            Row("input-gradient check cache", InputGradientCheck.CachePath);
            Row("oneDNN (mkldnn) convolutions", "on; switched off for the rest of a process that builds resnet50 (libtorch 2.10's oneDNN divides by zero on its strided 1x1 input gradients here) " +
                "or whose model fails the input-gradient check (RL_KEEP_MKLDNN=1 keeps it on)");
            Row("NNPACK convolutions", NativeRuntime.NnpackDisabled ? "off (libtorch's other CPU kernels serve; RL_KEEP_NNPACK=1 keeps libtorch's default)" : "libtorch default");
        }
        var dir = FashionMnist.Locate(s.DataDir);
        Row("fashion-mnist", FashionMnist.IsAvailable(s.DataDir) ? $"found in {dir}" : "not found: " + FashionMnist.HowToGet);
        Row("datasets", string.Join(", ", DatasetRegistry.Names));
        Row("models", string.Join(", ", ModelZoo.Names));
        AnsiConsole.Write(t);
        return loaded ? CliHost.Ok : CliHost.RuntimeError;
    }
}
