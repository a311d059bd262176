using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using NUnit.Framework;
using RobustnessLab.Experiments;
using RobustnessLab.Experiments.Config;
using RobustnessLab.Reporting;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace RobustnessLab.Tests.Experiments;

/// <summary>
/// A stage used only by tests: it exercises everything a real stage produces (images through the context, curves,
/// flags, tables, nested data with attack-like rows), can be told to fail (a crash mid-run), and counts its runs.
/// </summary>
public sealed class DemoStage : IExperimentStage
{
    public static int Runs;

    /// <summary>Set when a stop_early stage starts waiting for cancellation.</summary>
    public static readonly ManualResetEventSlim StopEarlyEntered = new();

    public static StageRegistry Registry { get; } =
        StageRegistry.Default.With(new StageDefinition("demo", typeof(DemoSection), "test stage", () => new DemoStage()));

    public string Name => "demo";
    public int Version => 1;

    public StageOutput Run(StageContext context)
    {
        Interlocked.Increment(ref Runs);
        var s = context.SectionAs<DemoSection>();
        if (s.Fail) throw new InvalidOperationException("demo stage failed on purpose");
        if (s.StopEarly)
        {
            // Like MapElites on Ctrl-C: leave the loop and return a truncated result marked as such, never throwing.
            var sw = System.Diagnostics.Stopwatch.StartNew();
            StopEarlyEntered.Set();
            while (!context.Cancel.IsCancellationRequested && sw.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(10);
            return new StageOutput(new JsonObject { ["cancelled"] = context.Cancel.IsCancellationRequested, ["generations"] = 5 }, new StageView { Title = "stopped early" });
        }
        var images = new List<FigureImage>();
        for (int i = 0; i < s.Images; i++)
        {
            int shade = 40 + 50 * i;
            var path = context.WriteFile($"panel-{i}.png", stream =>
            {
                using var img = new Image<L8>(28, 28);
                for (int y = 0; y < 28; y++)
                    for (int x = 0; x < 28; x++) img[x, y] = new L8((byte)((x * 9 + y * 3 + shade) % 256));
                img.SaveAsPng(stream);
            });
            images.Add(new FigureImage(path, $"{s.Label} panel {i}", $"Panel {i} of {s.Label}", i % 2 == 0 ? "biased" : "debiased"));
        }
        var eps = new[] { 0.0, 0.05, 0.1, 0.2 };
        var rows = new JsonArray();
        foreach (var model in context.Models.Keys)
            for (int i = 0; i < eps.Length; i++)
                rows.Add(new JsonObject
                {
                    ["model"] = model, ["attack"] = "fgsm", ["eps"] = eps[i],
                    ["success_rate_correct"] = Math.Round(0.2 * i + 0.05, 4), ["robust_accuracy"] = Math.Round(0.9 - 0.25 * i, 4),
                });
        var data = new JsonObject { ["label"] = s.Label, ["attacks"] = rows, ["worst_case"] = new JsonObject { ["robust_accuracy"] = 0.15 } };
        var view = new StageView
        {
            Title = $"Demo: {s.Label}",
            Summary = $"Synthetic results of {s.Label}.",
            Headline = [new HeadlineMetric("robust accuracy", 0.15, "percent", context.Models.Keys.FirstOrDefault(), "eps = 0.2")],
            Flags = [new SanityFlag("warning", $"robust accuracy of {s.Label} rises with eps somewhere", context.Models.Keys.FirstOrDefault())],
            Curves = [new CurveChart("Robust accuracy", "eps", "robust accuracy",
                context.Models.Keys.Select(m => new CurveSeries(m, eps, eps.Select((_, i) => 0.9 - 0.25 * i).ToList())).ToList(), YPercent: true)],
            Images = images,
            Tables = [new TableView("Attack rows", ["model", "eps", "robust accuracy"],
                rows.Select(r => (IReadOnlyList<JsonNode?>)[r!["model"]!.DeepClone(), r["eps"]!.DeepClone(), r["robust_accuracy"]!.DeepClone()]).ToList())],
        };
        return new StageOutput(data, view);
    }
}
