using System.Globalization;
using System.Text.Json.Nodes;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Experiments.Gates;
using RobustnessLab.Reporting;

namespace RobustnessLab.Experiments;

/// <summary>
/// <c>paper:</c> the published figures of the paper an experiment reproduces, each beside the lab's value from this
/// run's earlier stages (read by a results path, as the regression gate reads them) and the difference lab - paper.
/// Runs after every other stage and is recomputed on every run (it only reads their results).
/// </summary>
public sealed class PaperStage : IExperimentStage, IReadsEarlierStages
{
    public string Name => "paper";
    public int Version => 1;

    public StageOutput Run(StageContext context)
    {
        var rows = context.SectionAs<IReadOnlyList<PaperRow>>();
        var root = new JsonObject();
        foreach (var (stage, data) in context.Earlier) root[stage] = data?.DeepClone();
        var comparisons = rows.Select(r => Compare(r, root)).ToList();
        context.Report(1, "done");
        return StageOutput.From(comparisons, View(comparisons));
    }

    private static PaperComparison Compare(PaperRow row, JsonNode root)
    {
        var (value, problem) = JsonSelector.Find(root, row.Lab);
        double? lab = null;
        if (problem is null)
        {
            if (value is JsonValue jv && jv.TryGetValue<double>(out var d) && double.IsFinite(d)) lab = d;
            else problem = value is null
                ? $"'{row.Lab}' is null: this run has no value for it (a threshold never reached, or a figure not measured)"
                : $"'{row.Lab}' is {value.ToJsonString()}, not a number";
        }
        return new PaperComparison
        {
            Figure = row.Figure,
            Source = row.Source,
            Paper = row.Paper,
            Lab = lab,
            Difference = lab - row.Paper,
            LabKey = row.Lab,
            Format = row.Format,
            Note = row.Note,
            Problem = problem,
        };
    }

    private static string Show(double? v, string format) => v is not { } x ? "missing" : format switch
    {
        "percent" => (100 * x).ToString("0.##", CultureInfo.InvariantCulture) + "%",
        "integer" => Math.Round(x).ToString(CultureInfo.InvariantCulture),
        _ => x.ToString("G4", CultureInfo.InvariantCulture),
    };

    private static string ShowDifference(double? v, string format) => v is not { } x ? "" : format switch
    {
        "percent" => (x >= 0 ? "+" : "") + (100 * x).ToString("0.##", CultureInfo.InvariantCulture) + " points",
        "integer" => (x >= 0 ? "+" : "") + Math.Round(x).ToString(CultureInfo.InvariantCulture),
        _ => (x >= 0 ? "+" : "") + x.ToString("G4", CultureInfo.InvariantCulture),
    };

    private static StageView View(List<PaperComparison> rows)
    {
        var table = rows.Select(r => (IReadOnlyList<JsonNode?>)
        [
            r.Figure, Show(r.Paper, r.Format), Show(r.Lab, r.Format), ShowDifference(r.Difference, r.Format),
            r.Source ?? "", r.Problem ?? r.Note ?? "",
        ]).ToList();
        return new StageView
        {
            Title = "Paper | lab",
            Summary = "Each published figure beside the lab's value from this run, and the difference lab - paper.",
            Flags = rows.Where(r => r.Problem is not null).Select(r => new SanityFlag("warning", $"no lab value for '{r.Figure}': {r.Problem}")).ToList(),
            Tables = [new TableView("Paper | lab | difference", ["figure", "paper", "lab", "difference", "source", "note"], table,
                "Lab values are read from this run's results.json; the note says where the lab's setting differs from the paper's.")],
        };
    }
}
