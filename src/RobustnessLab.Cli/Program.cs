using RobustnessLab.Cli;
using RobustnessLab.Cli.Infrastructure;

return CliHost.Run(LabApp.Create(), args);
