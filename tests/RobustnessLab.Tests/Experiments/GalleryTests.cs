using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

public class GalleryTests
{
    internal const string Evil = "<script>window.__pwned=1</script>";

    /// <summary>A run folder with hostile strings everywhere a config or dataset can put them, and real PNG files.</summary>
    internal static (string Dir, RunResults Results) HostileRun(string? root = null)
    {
        var parent = root ?? ExperimentFixtures.TempDir("gallery");
        var dir = Path.Combine(parent, "hostile");
        Directory.CreateDirectory(Path.Combine(dir, "stages", "demo"));
        var png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAAAAABX3VL4AAAADklEQVR4nGP4z8DAwMAACfsB/yeYbKsAAAAASUVORK5CYII=");
        File.WriteAllBytes(Path.Combine(dir, "stages", "demo", "a b&c.png"), png);
        var results = new RunResults
        {
            Name = "hostile",
            Status = "complete",
            ConfigHash = "0123456789abcdef",
            Config = new JsonObject
            {
                ["name"] = "hostile",
                ["dataset"] = new JsonObject { ["name"] = "fashion-mnist", ["options"] = new JsonObject { ["note"] = Evil } },
                ["models"] = new JsonObject { ["m"] = new JsonObject { ["architecture"] = "cnn" } },
            },
            Provenance = new RunProvenance { ConfigFile = "x.yaml", Started = DateTimeOffset.UnixEpoch, Finished = DateTimeOffset.UnixEpoch },
            Points =
            [
                new PointResult
                {
                    Stages = { ["eval"] = new JsonObject { ["m"] = new JsonObject { ["accuracy"] = 0.5, ["class_names"] = new JsonArray(Evil, "Trouser") } } },
                    Views =
                    {
                        ["eval"] = new StageView
                        {
                            Title = "Clean accuracy " + Evil,
                            Headline = [new HeadlineMetric("accuracy " + Evil, 0.5, "percent", "m", Evil)],
                            Flags = [new SanityFlag("error", "label leaking " + Evil, "m")],
                            Curves = [new CurveChart("curve " + Evil, "eps", "acc", [new CurveSeries(Evil, [0, 0.1], [0.9, 0.2])], YPercent: true)],
                            Images = [new FigureImage("stages/demo/a b&c.png", "alt " + Evil, "caption " + Evil, Evil)],
                            Tables = [new TableView("per class", ["class", "accuracy"], [[Evil, 0.5], ["Trouser", 0.9]])],
                        },
                    },
                },
            ],
        };
        results.Write(dir);
        Gallery.WriteRun(dir, results);
        return (dir, results);
    }

    [Test]
    public void HostileStringsAppearAsTextNeverAsMarkup()
    {
        var (dir, _) = HostileRun();
        var html = File.ReadAllText(Path.Combine(dir, Gallery.PageFile));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(html, Does.Not.Contain("<script>window"), "a class name never becomes a script element");
            Assert.That(Regex.Matches(html, "<script>").Count, Is.EqualTo(1), "the only script is the gallery's own sorter");
            Assert.That(html, Does.Contain("&lt;script&gt;window.__pwned=1&lt;/script&gt;"), "it is shown as text");
            Assert.That(html, Does.Contain("src=\"stages/demo/a%20b%26c.png\""), "file names are URL-encoded");
            Assert.That(html, Does.Contain("alt=\"alt &lt;script&gt;"), "alt text is escaped too");
        }
    }

    [Test]
    public void PagesAreSelfContainedAndEveryImageHasAltText()
    {
        var (dir, _) = HostileRun();
        var html = File.ReadAllText(Path.Combine(dir, Gallery.PageFile));
        var index = File.ReadAllText(Gallery.WriteIndex(Path.GetDirectoryName(dir)!));
        foreach (var page in new[] { html, index })
        {
            Assert.That(Regex.Matches(page, @"(?:src|href)\s*=\s*""(?:https?:)?//"), Is.Empty, "no remote resource or link");
            Assert.That(page, Does.Not.Contain("@import").And.Not.Contain("@font-face").And.Not.Contain("url("), "no remote fonts or stylesheets");
        }
        var imgs = Regex.Matches(html, "<img [^>]*>").Select(m => m.Value).ToList();
        Assert.That(imgs, Is.Not.Empty);
        Assert.That(imgs, Has.All.Match("alt=\"[^\"]+\""));
        foreach (Match m in Regex.Matches(html, "<img src=\"([^\"]+)\""))
            Assert.That(File.Exists(Path.Combine(dir, Uri.UnescapeDataString(m.Groups[1].Value.Replace("&amp;", "&")))), m.Groups[1].Value);
        Assert.That(Regex.Matches(html, "<svg[^>]*role=\"img\"").Count, Is.EqualTo(Regex.Matches(html, "<svg").Count), "charts are labelled images");
    }

    [Test]
    public void IndexListsEveryRunWithALinkAndSkipsHiddenFolders()
    {
        var root = ExperimentFixtures.TempDir("index");
        HostileRun(root);
        Directory.CreateDirectory(Path.Combine(root, ".cache", "models"));
        Directory.CreateDirectory(Path.Combine(root, "broken"));
        File.WriteAllText(Path.Combine(root, "broken", "results.json"), "{ not json");
        var html = File.ReadAllText(Gallery.WriteIndex(root));
        Assert.That(html, Does.Contain("href=\"hostile/index.html\""));
        Assert.That(html, Does.Contain("unreadable"), "a broken run is listed, not fatal");
        Assert.That(html, Does.Not.Contain(".cache"));
        Assert.That(html, Does.Contain("accuracy &lt;script&gt;"), "headline metrics are listed, escaped");
    }

    [Test]
    public void RebuildingFromResultsJsonGivesTheSamePage()
    {
        var (dir, _) = HostileRun();
        var first = File.ReadAllText(Path.Combine(dir, Gallery.PageFile));
        Gallery.RebuildRun(dir);
        Assert.That(File.ReadAllText(Path.Combine(dir, Gallery.PageFile)), Is.EqualTo(first));
    }

    [Test]
    public void UnknownStageDataIsRenderedGenerically()
    {
        var node = JsonNode.Parse("""{"attacks":[{"attack":"fgsm","eps":0.1,"success_rate":0.9},{"attack":"pgd","eps":0.1,"success_rate":1}],"confusion":[[1,2],[3,4]],"note":"<b>x</b>"}""");
        var html = JsonHtml.Render(node);
        Assert.That(html, Does.Contain("<table class=\"sortable\">").And.Contain("<th scope=\"col\">success_rate</th>").And.Contain("data-sort=\"0.9\""));
        Assert.That(html, Does.Contain("&lt;b&gt;x&lt;/b&gt;").And.Not.Contain("<b>x</b>"));
    }

    [Test]
    public void ChartTicksAreRoundAndCoverTheData()
    {
        Assert.That(SvgChart.Ticks(0, 0.3), Is.EqualTo(new[] { 0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3 }).Within(1e-12));
        Assert.That(SvgChart.Ticks(0.13, 0.91), Is.EqualTo(new[] { 0, 0.2, 0.4, 0.6, 0.8, 1.0 }).Within(1e-12));
        var svg = SvgChart.Render(new CurveChart("t", "eps", "acc", [new CurveSeries("a", [0, 0.1, 0.2], [0.9, double.NaN, 0.1])]), "c");
        Assert.That(svg, Does.Not.Contain("NaN"), "missing points are skipped, not drawn at NaN");
    }

    [Test]
    public void GalleryWriteIsAtomic()
    {
        var (dir, results) = HostileRun();
        Gallery.WriteRun(dir, results with { Name = "again" });
        Assert.That(Directory.GetFiles(dir, "*.tmp", SearchOption.AllDirectories), Is.Empty, "no temp files left behind");
        Assert.That(Json.ReadFile<RunResults>(Path.Combine(dir, RunResults.FileName)).Name, Is.EqualTo("hostile"));
    }
}
