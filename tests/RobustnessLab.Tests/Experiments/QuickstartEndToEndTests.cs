using System.Text.Json.Nodes;
using NUnit.Framework;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

/// <summary>
/// The quickstart through every stage (models, eval, attacks, figures, fooling, dumbbell), shrunk by --set overrides to
/// well under two minutes on one thread: each stage's results in the schema of its result record, every image it references
/// written as a PNG, and the gallery showing them. Uses Fashion-MNIST when installed, else the embedded gym scenes
/// (the config's dataset 'auto'), so it never skips.
/// </summary>
[Category("Slow")]
public class QuickstartEndToEndTests
{
    public static readonly string[] Shrink =
    [
        "dataset.options.train_limit=1500", "dataset.options.validation_size=200", "dataset.options.test_limit=200",
        "models.standard.epochs=1",
        "attacks[0].samples=100", "attacks[1].samples=100", "attacks[1].steps=5",
        "figures[0].samples=2",
        "fooling.generations=8", "fooling.population=16", "fooling.options={rubbish_samples: 50}",
        "dumbbell.epochs=1", "dumbbell.train_size=200", "dumbbell.steps=16", "dumbbell.samples=2",
        "dumbbell.options={test: 100, width: 16, probe_count: 20, control_train: 200, control_epochs: 1, detector_train: 300, detector_epochs: 1, detector_vis_seeds: 1}",
    ];

    private static readonly Lazy<(string OutDir, RunResults Results)> Run = new(() =>
    {
        var root = ExperimentFixtures.TempDir("quickstart-e2e");
        var config = Path.Combine(ConfigLoadingTests.FindExperimentsFolder(), "quickstart.yaml");
        var e = ExperimentLoader.Load(config, Shrink);
        var outDir = Path.Combine(root, "quickstart");
        return (outDir, new ExperimentRunner().Run(e, new RunOptions { OutDirectory = outDir, CacheDirectory = Path.Combine(root, ".cache"), Threads = 1 }));
    });

    /// <summary>The shrunk quickstart's run folder, run once per test process (the browser test screenshots its gallery).</summary>
    public static string RunFolder() => Run.Value.OutDir;

    [Test]
    public void ShrunkQuickstartRunsEveryStageIntoTheGallery()
    {
        var (outDir, results) = Run.Value;

        Assert.That(results.Status, Is.EqualTo("complete"), results.Error);
        var point = results.Points.Single();
        Assert.That(point.Stages.Keys, Is.SupersetOf(new[] { "models", "eval", "attacks", "figures", "fooling", "dumbbell" }));
        using (Assert.EnterMultipleScope())
        {
            // attacks: the attack rows, worst case and flags.
            var attacks = point.Stages["attacks"]!.AsObject();
            var rows = attacks["attacks"]!.AsArray();
            Assert.That(rows.Count, Is.EqualTo(12), "fgsm and pgd at six epsilons");
            foreach (var key in new[] { "attack", "norm", "eps", "targeted", "robust_accuracy", "success_rate_correct", "success_rate_all",
                         "mean_adv_confidence", "max_linf", "mean_l2", "seconds", "gradient_evals" })
                Assert.That(rows[0]!.AsObject().ContainsKey(key), Is.True, $"attack rows carry '{key}'");
            foreach (var row in rows)
                Assert.That(row!["max_linf"]!.GetValue<double>(), Is.LessThanOrEqualTo(row["eps"]!.GetValue<double>() + 1e-6), "perturbations stay in the eps ball");
            var fgsm01 = rows.Single(r => r!["attack"]!.GetValue<string>() == "fgsm" && r["eps"]!.GetValue<double>() == 0.1)!;
            Assert.That(fgsm01["success_rate_correct"]!.GetValue<double>(), Is.GreaterThan(0.2), "fgsm at eps 0.1 breaks a one-epoch model often");
            Assert.That(attacks["worst_case"]!.AsArray().Count, Is.EqualTo(6), "fgsm and pgd share samples and grid: one worst case per eps");
            Assert.That(attacks.ContainsKey("flags"), Is.True);

            // figures: a panel per example, written.
            var panels = point.Stages["figures"]![0]!["panels"]!.AsArray();
            Assert.That(panels.Count, Is.EqualTo(2));
            foreach (var p in panels) Assert.That(File.Exists(Path.Combine(outDir, p!["files"]!["panel"]!.GetValue<string>())), Is.True);

            // fooling: the fooling.json schema, one report per model, champions on disk.
            var fooling = point.Stages["fooling"]!.AsArray().Single()!;
            Assert.That(fooling["model"]!.GetValue<string>(), Is.EqualTo("standard"));
            Assert.That(fooling["summary"]!["median_confidence"]!.GetValue<double>(), Is.InRange(0.0, 1.0));
            var classes = fooling["classes"]!.AsArray();
            Assert.That(classes.Count, Is.EqualTo(10));
            foreach (var c in classes) Assert.That(File.Exists(Path.Combine(outDir, c!["image_file"]!.GetValue<string>())), Is.True);

            // dumbbell: the dumbbell.json schema with files relative to the run folder.
            var dumbbell = point.Stages["dumbbell"]!.AsObject();
            foreach (var key in new[] { "biased", "debiased", "targets", "files", "chance" })
                Assert.That(dumbbell.ContainsKey(key), Is.True, $"dumbbell carries '{key}'");
            foreach (var key in new[] { "clean_accuracy", "arm_effect", "p_dumbbell_arm_only" })
                Assert.That(dumbbell["biased"]!.AsObject().ContainsKey(key), Is.True, $"dumbbell.biased carries '{key}'");
            Assert.That(File.Exists(Path.Combine(outDir, dumbbell["files"]!["dumbbell_sheet"]!.GetValue<string>())), Is.True);

            // Every figure the run wrote exists as SVG and as PNG; the gallery shows the SVG.
            var svgs = Directory.GetFiles(outDir, "*.svg", SearchOption.AllDirectories);
            Assert.That(svgs.Length, Is.GreaterThanOrEqualTo(2 + 2 + 2), "panels, fooling grid and curve, dumbbell sheets");
            foreach (var svg in svgs) Assert.That(File.Exists(Path.ChangeExtension(svg, ".png")), Is.True, $"{svg} has its PNG");
            foreach (var p in panels) Assert.That(p!["files"]!["panel"]!.GetValue<string>(), Does.EndWith(".svg"));
            Assert.That(point.Views.Values.SelectMany(v => v.Images).Select(i => i.Path), Has.All.EndsWith(".svg"), "the gallery uses the SVG figures");
            Assert.That(fooling["figures"]!["curve"]!.GetValue<string>(), Is.EqualTo("curve.svg"), "the fooling curve is an SVG chart");

            // The gallery: every image the views name exists; curves and side-by-side groups are there.
            var html = File.ReadAllText(Path.Combine(outDir, Gallery.PageFile));
            foreach (var (name, view) in point.Views)
                foreach (var img in view.Images)
                {
                    Assert.That(File.Exists(Path.Combine(outDir, img.Path)), Is.True, $"{name}: {img.Path} exists");
                    Assert.That(html, Does.Contain(img.Path), $"{name}: the gallery shows {img.Path}");
                }
            Assert.That(point.Views["attacks"].Curves, Is.Not.Empty, "robustness curve");
            Assert.That(html, Does.Contain("<svg"), "curves are inline SVG");
        }
    }
}
