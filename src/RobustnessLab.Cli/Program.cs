using RobustnessLab.Cli;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Core;

// The .NET tool carries no libtorch: let TorchSharp find it in the NuGet cache (nothing is loaded until a command needs it).
NativeRuntime.UseNuGetCacheWhenNotAppLocal();
return CliHost.Run(LabApp.Create(), args);
