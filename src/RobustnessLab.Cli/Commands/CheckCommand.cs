using System.ComponentModel;
using RobustnessLab.Cli.Infrastructure;
using RobustnessLab.Experiments.Gates;
using RobustnessLab.Reporting;
using Spectre.Console;
using Spectre.Console.Cli;

namespace RobustnessLab.Cli.Commands;

/// <summary><c>lab check RESULTS --baseline FILE</c>: regression gate; a table of rules, exit 1 on any regression.</summary>
public sealed class CheckCommand : LabCommand<CheckCommand.Settings>
{
    public sealed class Settings : LabSettings
    {
        [CommandArgument(0, "<RESULTS>")]
        [Description("a run folder or its results.json")]
        public string Results { get; set; } = "";

        [CommandOption("-b|--baseline <FILE>")]
        [Description("rules file (experiments/baselines/*.yaml), or a baseline results.json with --rule")]
        public string? Baseline { get; set; }

        [CommandOption("--rule <RULE>")]
        [Description("extra rule, repeatable: \"eval.standard.accuracy >= 0.9\", \"PATH within 0.03 of baseline\"")]
        public string[] Rules { get; set; } = [];

        public override ValidationResult Validate() =>
            Baseline is null ? ValidationResult.Error("--baseline FILE is required") : ValidationResult.Success();
    }

    protected override int Run(Settings s, CancellationToken cancel)
    {
        var results = RunResults.Read(s.Results);
        var gate = RegressionGate.Load(s.Baseline!, s.Rules);
        var outcomes = gate.Check(results);
        var table = new Table().Border(TableBorder.Simple).AddColumns("rule", "point", "value", "expected", "result");
        foreach (var o in outcomes)
            table.AddRow(Markup.Escape(o.Rule.Text), Markup.Escape(o.Point.Length == 0 ? "-" : o.Point),
                o.Actual is { } a ? Markup.Escape(Html.Number(a)) : "-", Markup.Escape(o.Expected),
                o.Passed ? "[green]pass[/]" : "[red]FAIL[/] " + Markup.Escape(o.Problem ?? ""));
        AnsiConsole.Write(table);
        int failed = outcomes.Count(o => !o.Passed);
        if (failed > 0)
        {
            CliHost.Error($"{failed} of {outcomes.Count} checks failed ({results.Name} against {s.Baseline})");
            return CliHost.RuntimeError;
        }
        AnsiConsole.MarkupLine($"[green]all {outcomes.Count} checks passed[/] ({Markup.Escape(results.Name)} against {Markup.Escape(s.Baseline!)})");
        return CliHost.Ok;
    }
}
