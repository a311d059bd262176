using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using RobustnessLab.Core;

namespace RobustnessLab.Reporting;

/// <summary>
/// The HTML gallery: one self-contained page per run (summary cards, flags in red, curves as inline SVG, image panels,
/// sortable tables, the config and provenance) and <c>index.html</c> over a results folder listing every run.
/// Reads only <see cref="RunResults"/>; every string from a config, dataset or result is escaped.
/// </summary>
public static class Gallery
{
    public const string PageFile = "index.html";

    /// <summary>Marks the part of a run page that differs between machines (dates, timings, cache hits).</summary>
    public const string ProvenanceStart = "<!-- provenance:start -->", ProvenanceEnd = "<!-- provenance:end -->";

    /// <summary>Writes DIR/index.html for a run, atomically.</summary>
    public static string WriteRun(string runDirectory, RunResults results)
    {
        // Render from the JSON form, so a page written during a run equals one rebuilt later from results.json.
        var normal = Json.Deserialize<RunResults>(Json.Serialize(results), "results");
        var path = Path.Combine(runDirectory, PageFile);
        AtomicFile.WriteAllText(path, RenderRun(normal));
        return path;
    }

    /// <summary>Rebuilds the page of one run folder from its results.json.</summary>
    public static string RebuildRun(string runDirectory) => WriteRun(runDirectory, RunResults.Read(runDirectory));

    /// <summary>Writes RESULTS/index.html listing every run folder under it (those holding a results.json).</summary>
    public static string WriteIndex(string resultsDirectory)
    {
        var runs = new List<(string Folder, RunResults? Results, string? Problem)>();
        if (Directory.Exists(resultsDirectory))
            foreach (var dir in Directory.GetDirectories(resultsDirectory).OrderBy(d => d, StringComparer.Ordinal))
            {
                var name = Path.GetFileName(dir);
                if (name.StartsWith('.') || !File.Exists(RunResults.PathIn(dir))) continue;
                try { runs.Add((name, RunResults.Read(dir), null)); }
                catch (LabException e) { runs.Add((name, null, e.Message)); }
            }
        var path = Path.Combine(resultsDirectory, PageFile);
        AtomicFile.WriteAllText(path, RenderIndex(runs));
        return path;
    }

    public static string RenderRun(RunResults r)
    {
        var sb = new StringBuilder();
        int figure = 0, table = 0;
        var title = r.Name.Length > 0 ? r.Name : "run";
        Head(sb, $"{title} · RobustnessLab");
        var dataset = r.Config["dataset"]?["name"]?.ToString() ?? "?";
        var modelIds = (r.Config["models"] as JsonObject)?.Select(p => p.Key).ToList() ?? [];
        sb.Append("<header><p class=\"kicker\">RobustnessLab · supplementary material</p>");
        sb.Append("<h1>").Append(Html.Escape(title)).Append("</h1>");
        sb.Append("<p class=\"meta\"><span class=\"badge status-").Append(Html.Id(r.Status)).Append("\">").Append(Html.Escape(r.Status)).Append("</span> · dataset <b>")
            .Append(Html.Escape(dataset)).Append("</b> · models ").Append(Html.Escape(string.Join(", ", modelIds)))
            .Append(" · seed ").Append(Html.Escape(r.Config["seed"]?.ToJsonString() ?? "0"))
            .Append(" · config <span class=\"mono\">").Append(Html.Escape(r.ConfigHash)).Append("</span>")
            .Append(r.TotalPoints > 1 ? $" · sweep of {r.TotalPoints} points" : "").Append("</p>");
        sb.Append("<nav aria-label=\"Contents\"><ol><li><a href=\"#summary\">Summary</a></li>");
        foreach (var p in r.Points)
            foreach (var stage in InReadingOrder(p.Views).Select(v => v.Key))
                sb.Append("<li><a href=\"#").Append(Anchor(p, stage)).Append("\">").Append(Html.Escape(SectionTitle(p, stage, p.Views[stage]))).Append("</a></li>");
        sb.Append("<li><a href=\"#configuration\">Configuration</a></li><li><a href=\"#provenance\">Provenance</a></li></ol></nav></header><main>");

        if (r.Shard is not null)
            sb.Append($"<p class=\"banner\">Shard {r.Shard.Index + 1} of {r.Shard.Count}: this folder holds {r.Points.Count} of {r.TotalPoints} sweep points. Merge the shards with <code>lab merge</code>.</p>");
        if (r.Status == "running")
            sb.Append("<p class=\"banner\">This run is still in progress; the page shows the stages finished so far.</p>");
        if (r.Status is "failed" or "interrupted")
            sb.Append("<p class=\"banner failed\">This run ").Append(r.Status == "failed" ? "failed: " + Html.Escape(r.Error) : "was interrupted")
                .Append(". Finished stages are shown; running it again resumes.</p>");

        sb.Append("<section id=\"summary\"><h2>Summary</h2>");
        var cards = r.Points.SelectMany(p => p.Views.Values.SelectMany(v => v.Headline).Select(h => (Point: p, Metric: h))).ToList();
        if (cards.Count == 0) sb.Append("<p>No headline numbers yet.</p>");
        else if (r.Points.Count == 1)
        {
            sb.Append("<div class=\"cards\">");
            foreach (var (_, m) in cards) Card(sb, m);
            sb.Append("</div>");
        }
        else SweepTable(sb, r, ref table);
        var allFlags = r.Points.SelectMany(p => p.Views.SelectMany(v => v.Value.Flags.Select(f => (Point: p, Stage: v.Key, Flag: f)))).ToList();
        if (allFlags.Count > 0)
        {
            sb.Append("<h3>Sanity flags</h3><ul class=\"flags\">");
            foreach (var (p, stage, f) in allFlags) FlagItem(sb, f, r.Points.Count > 1 ? $"{stage}, point {p.Index}" : stage);
            sb.Append("</ul>");
        }
        sb.Append("</section>");

        foreach (var p in r.Points)
        {
            if (r.TotalPoints > 1)
                sb.Append("<h2 class=\"point\">Sweep point ").Append(p.Index).Append(": <span class=\"mono\">").Append(Html.Escape(p.Label)).Append("</span></h2>");
            foreach (var (stage, view) in InReadingOrder(p.Views))
            {
                sb.Append("<section id=\"").Append(Anchor(p, stage)).Append("\"><h").Append(r.TotalPoints > 1 ? '3' : '2').Append('>')
                    .Append(Html.Escape(view.Title ?? stage)).Append("</h").Append(r.TotalPoints > 1 ? '3' : '2').Append('>');
                if (view.Summary is not null) sb.Append("<p>").Append(Html.Escape(view.Summary)).Append("</p>");
                if (view.Flags.Count > 0)
                {
                    sb.Append("<ul class=\"flags\">");
                    foreach (var f in view.Flags) FlagItem(sb, f, null);
                    sb.Append("</ul>");
                }
                foreach (var chart in view.Curves)
                {
                    figure++;
                    sb.Append("<figure>").Append(SvgChart.Render(chart, $"fig{figure}")).Append("<figcaption><b>Figure ").Append(figure).Append(".</b> ")
                        .Append(Html.Escape(chart.Caption ?? chart.Title));
                    if (chart.Files is { Count: > 0 } files)
                        sb.Append(" <span class=\"files\">(").AppendJoin(" · ", files.Select(f => $"<a href=\"{Html.Url(f)}\">{Html.Escape(Path.GetExtension(f).TrimStart('.').ToUpperInvariant())}</a>")).Append(")</span>");
                    sb.Append("</figcaption></figure>");
                }
                Images(sb, view.Images, ref figure);
                foreach (var t in view.Tables) Table(sb, t, ref table);
                if (p.Stages.TryGetValue(stage, out var data) && data is not null)
                    sb.Append("<details><summary>All numbers of ").Append(Html.Escape(stage)).Append(" (results.json)</summary>").Append(JsonHtml.Render(data, 1)).Append("</details>");
                sb.Append("</section>");
            }
            // Stages that returned data without a view still show up.
            foreach (var (stage, data) in p.Stages.Where(s => !p.Views.ContainsKey(s.Key)))
                sb.Append("<section id=\"").Append(Anchor(p, stage)).Append("\"><h2>").Append(Html.Escape(stage)).Append("</h2>").Append(JsonHtml.Render(data)).Append("</section>");
        }

        sb.Append("<section id=\"configuration\"><h2>Configuration</h2><p>The resolved config (defaults written out). Re-run with <code>lab run</code> on this text.</p><pre>")
            .Append(Html.Escape(YamlText.Write(r.Config))).Append("</pre></section>");
        sb.Append(ProvenanceStart);
        Provenance(sb, r);
        sb.Append(ProvenanceEnd);
        sb.Append("</main><footer>Generated by RobustnessLab from <code>results.json</code>; rebuild with <code>lab gallery</code>. <a href=\"results.json\">results.json</a></footer>");
        Tail(sb);
        return sb.ToString();
    }

    public static string RenderIndex(IReadOnlyList<(string Folder, RunResults? Results, string? Problem)> runs)
    {
        var sb = new StringBuilder();
        Head(sb, "RobustnessLab results");
        sb.Append("<header><p class=\"kicker\">RobustnessLab</p><h1>Results</h1><p class=\"meta\">")
            .Append(runs.Count).Append(runs.Count == 1 ? " run" : " runs").Append(". Click a column to sort.</p></header><main>");
        if (runs.Count == 0) sb.Append("<p>No runs yet: <code>./lab run experiments/quickstart.yaml</code>.</p>");
        else
        {
            sb.Append("<div class=\"table-wrap\"><table class=\"sortable\"><caption>Runs in this folder</caption><thead><tr>");
            foreach (var c in new[] { "run", "status", "started", "dataset", "models", "points", "headline", "commit" })
                sb.Append("<th scope=\"col\">").Append(c).Append("</th>");
            sb.Append("</tr></thead><tbody>");
            foreach (var (folder, r, problem) in runs)
            {
                sb.Append("<tr><td><a href=\"").Append(Html.Url(folder + "/" + PageFile)).Append("\">").Append(Html.Escape(r?.Name ?? folder)).Append("</a></td>");
                if (r is null)
                {
                    sb.Append("<td class=\"fail\">unreadable</td><td colspan=\"6\">").Append(Html.Escape(problem)).Append("</td></tr>");
                    continue;
                }
                var started = r.Provenance.Started;
                sb.Append("<td><span class=\"badge status-").Append(Html.Id(r.Status)).Append("\">").Append(Html.Escape(r.Shard is null ? r.Status : $"{r.Status} (shard {r.Shard.Index}/{r.Shard.Count})")).Append("</span></td>");
                sb.Append("<td data-sort=\"").Append(started.ToUnixTimeSeconds()).Append("\">").Append(Html.Escape(started.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append("</td>");
                sb.Append("<td>").Append(Html.Escape(r.Config["dataset"]?["name"]?.ToString())).Append("</td>");
                sb.Append("<td>").Append(Html.Escape(string.Join(", ", (r.Config["models"] as JsonObject)?.Select(p => p.Key) ?? []))).Append("</td>");
                sb.Append("<td class=\"num\" data-sort=\"").Append(r.TotalPoints).Append("\">").Append(r.TotalPoints).Append("</td>");
                var head = r.Points.Take(1).SelectMany(p => p.Views.Values.SelectMany(v => v.Headline)).Take(4)
                    .Select(h => $"{h.Label}{(h.Model is null ? "" : $" ({h.Model})")}: {Html.Format(h.Value, h.Format)}");
                sb.Append("<td>").Append(Html.Escape(string.Join("; ", head))).Append(r.Points.Count > 1 ? " (first point)" : "").Append("</td>");
                sb.Append("<td class=\"mono\">").Append(Html.Escape(r.Provenance.Code.GitCommit)).Append("</td></tr>");
            }
            sb.Append("</tbody></table></div>");
        }
        sb.Append("</main><footer>Generated by RobustnessLab; rebuild with <code>lab gallery</code>.</footer>");
        Tail(sb);
        return sb.ToString();
    }

    private static void Head(StringBuilder sb, string title)
    {
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">");
        sb.Append("<meta name=\"generator\" content=\"RobustnessLab\"><title>").Append(Html.Escape(title)).Append("</title>");
        // No favicon request (a local file page would log a 404 for it).
        sb.Append("<link rel=\"icon\" href=\"data:,\"><style>").Append(GalleryStyle.Css).Append("</style></head><body>");
    }

    private static void Tail(StringBuilder sb) => sb.Append("<script>").Append(GalleryStyle.Script).Append("</script></body></html>\n");

    private static void Card(StringBuilder sb, HeadlineMetric m)
    {
        sb.Append("<div class=\"card\"><div class=\"label\">").Append(Html.Escape(m.Label)).Append("</div>");
        if (m.Model is not null) sb.Append("<div class=\"model\">").Append(Html.Escape(m.Model)).Append("</div>");
        sb.Append("<div class=\"value\">").Append(Html.Escape(Html.Format(m.Value, m.Format))).Append("</div>");
        if (m.Note is not null) sb.Append("<div class=\"note\">").Append(Html.Escape(m.Note)).Append("</div>");
        sb.Append("</div>");
    }

    private static void FlagItem(StringBuilder sb, SanityFlag f, string? where)
    {
        sb.Append("<li><strong>").Append(Html.Escape(f.Severity)).Append("</strong>");
        if (f.Model is not null) sb.Append(Html.Escape(f.Model)).Append(": ");
        sb.Append(Html.Escape(f.Message));
        if (where is not null) sb.Append(" <em>(").Append(Html.Escape(where)).Append(")</em>");
        sb.Append("</li>");
    }

    private static void SweepTable(StringBuilder sb, RunResults r, ref int table)
    {
        var keys = r.Points.SelectMany(p => p.Views.Values.SelectMany(v => v.Headline).Select(HeadlineKey)).Distinct().ToList();
        var axes = r.Points.SelectMany(p => p.Assignments.Keys).Distinct().ToList();
        var rows = r.Points.Select(p =>
        {
            var row = new List<JsonNode?> { p.Index };
            row.AddRange(axes.Select(a => p.Assignments.TryGetValue(a, out var v) ? v?.DeepClone() : null));
            var byKey = p.Views.Values.SelectMany(v => v.Headline).GroupBy(HeadlineKey).ToDictionary(g => g.Key, g => g.First().Value);
            row.AddRange(keys.Select(k => byKey.TryGetValue(k, out var v) ? (JsonNode?)JsonValue.Create(v) : null));
            return (IReadOnlyList<JsonNode?>)row;
        }).ToList();
        var columns = new List<string> { "point" };
        columns.AddRange(axes);
        columns.AddRange(keys);
        Table(sb, new TableView("Headline numbers of every sweep point", columns, rows), ref table);
    }

    private static string HeadlineKey(HeadlineMetric h) => h.Model is null ? h.Label : $"{h.Label} ({h.Model})";

    /// <summary>Sections as a supplement reads: the results first, then how the models were made (models, eval).</summary>
    private static IEnumerable<KeyValuePair<string, StageView>> InReadingOrder(IReadOnlyDictionary<string, StageView> views) =>
        views.Where(v => v.Key is not ("models" or "eval")).Concat(views.Where(v => v.Key is "models" or "eval"));

    private static void Images(StringBuilder sb, IReadOnlyList<FigureImage> images, ref int figure)
    {
        foreach (var group in images.GroupBy(i => i.Group ?? ""))
        {
            if (group.Key.Length > 0) sb.Append("<p class=\"group-title\">").Append(Html.Escape(group.Key)).Append("</p>");
            sb.Append("<div class=\"figrow\">");
            foreach (var img in group)
            {
                figure++;
                var alt = string.IsNullOrWhiteSpace(img.Alt) ? img.Caption : img.Alt;
                sb.Append("<figure><img src=\"").Append(Html.Url(img.Path)).Append("\" alt=\"").Append(Html.Escape(alt)).Append("\">")
                    .Append("<figcaption><b>Figure ").Append(figure).Append(".</b> ").Append(Html.Escape(img.Caption)).Append("</figcaption></figure>");
            }
            sb.Append("</div>");
        }
    }

    private static void Table(StringBuilder sb, TableView t, ref int table)
    {
        table++;
        sb.Append("<div class=\"table-wrap\"><table class=\"sortable\"><caption><b>Table ").Append(table).Append(".</b> ").Append(Html.Escape(t.Title));
        if (t.Caption is not null) sb.Append(t.Title.EndsWith('.') ? " " : ". ").Append(Html.Escape(t.Caption));
        sb.Append("</caption><thead><tr>");
        foreach (var c in t.Columns) sb.Append("<th scope=\"col\">").Append(Html.Escape(c)).Append("</th>");
        sb.Append("</tr></thead><tbody>");
        foreach (var row in t.Rows)
        {
            sb.Append("<tr>");
            foreach (var cell in row) sb.Append(JsonHtml.TableCell(cell));
            sb.Append("</tr>");
        }
        sb.Append("</tbody></table></div>");
    }

    private static void Provenance(StringBuilder sb, RunResults r)
    {
        var p = r.Provenance;
        sb.Append("<section id=\"provenance\"><h2>Provenance</h2><dl class=\"kv\">");
        void Row(string k, string? v) => sb.Append("<dt>").Append(Html.Escape(k)).Append("</dt><dd>").Append(Html.Escape(v ?? "—")).Append("</dd>");
        Row("started", p.Started.ToString("u", CultureInfo.InvariantCulture));
        Row("finished", p.Finished?.ToString("u", CultureInfo.InvariantCulture));
        Row("duration", p.Seconds.ToString("0.0", CultureInfo.InvariantCulture) + " s");
        Row("config file", p.ConfigFile);
        Row("overrides", p.Overrides.Count == 0 ? "none" : string.Join("  ", p.Overrides));
        Row("git commit", p.Code.GitCommit);
        Row("TorchSharp / libtorch", $"{p.Code.TorchSharp} / {p.Code.LibTorch}");
        Row(".NET", p.Code.DotNet);
        Row("machine", $"{p.Code.Machine} ({p.Code.Os}, {p.Code.Cores} cores, {p.Code.Threads} threads)");
        Row("packages", string.Join(", ", p.Packages.Select(kv => $"{kv.Key} {kv.Value}")));
        if (p.Shards is { Count: > 0 })
            Row("merged from", string.Join("; ", p.Shards.Select((s, i) => $"shard {i}: {s.Code.Machine}, {s.Started.ToString("u", CultureInfo.InvariantCulture)}, {s.Seconds:0.0} s")));
        sb.Append("</dl>");
        var rows = r.Points.SelectMany(pt => pt.Runtime.Select(kv => (IReadOnlyList<JsonNode?>)
        [
            pt.Index, kv.Key, kv.Value.Seconds, kv.Value.Reused ? "reused" : "ran",
            kv.Value.Details is null ? null : string.Join("; ", kv.Value.Details.Select(d => $"{d.Key}: {d.Value?["status"]}")),
        ])).ToList();
        int t = 0;
        if (rows.Count > 0) Table(sb, new TableView("Stage timings", ["point", "stage", "seconds", "resumed run", "models"], rows), ref t);
        sb.Append("</section>");
    }

    private static string Anchor(PointResult p, string stage) => $"p{p.Index}-{Html.Id(stage)}";

    private static string SectionTitle(PointResult p, string stage, StageView v) =>
        (v.Title ?? stage) + (p.Label.Length > 0 ? $" ({p.Label})" : "");
}
