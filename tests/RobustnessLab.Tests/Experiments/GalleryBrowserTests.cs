using System.Text.Json;
using Microsoft.Playwright;
using NUnit.Framework;
using RobustnessLab.Data;
using RobustnessLab.Experiments;
using RobustnessLab.Reporting;

namespace RobustnessLab.Tests.Experiments;

/// <summary>
/// Opens generated galleries in Debian's headless chromium (driven by Playwright with ExecutablePath; no browser is
/// downloaded) and checks what a reader would hit: images that do not load, console errors, broken or remote links,
/// injected markup. Saves a screenshot. Inconclusive where chromium is not installed; CI installs it.
/// </summary>
[Category("Slow")]
public class GalleryBrowserTests
{
    private static readonly string Chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    [Test]
    public async Task GalleriesLoadCleanlyInHeadlessChromium()
    {
        Assume.That(File.Exists(Chromium), $"chromium not found at {Chromium} (apt-get install chromium, or set CHROMIUM_PATH)");
        var root = ExperimentFixtures.TempDir("browser");
        var pages = new List<string> { Path.Combine(GalleryTests.HostileRun(root).Dir, Gallery.PageFile) };
        if (FashionMnist.IsAvailable())
        {
            // A real run: trained model, eval, and a stage with image panels side by side, curves, flags and tables.
            var config = ExperimentFixtures.Write(root, "browser.yaml", ExperimentFixtures.TinyConfig("browser", extra: "demo: {images: 3}") + "sweep:\n  seed: [1, 2]\n");
            var e = ExperimentLoader.Load(config, null, DemoStage.Registry);
            new ExperimentRunner(DemoStage.Registry).Run(e, new RunOptions { OutDirectory = Path.Combine(root, "browser"), CacheDirectory = Path.Combine(root, ".cache") });
            pages.Add(Path.Combine(root, "browser", Gallery.PageFile));
        }
        pages.Insert(0, Gallery.WriteIndex(root));

        using var playwright = await Playwright.CreateAsync();
        var profile = ExperimentFixtures.TempDir("chromium-profile");
        await using var browser = await playwright.Chromium.LaunchPersistentContextAsync(profile, new BrowserTypeLaunchPersistentContextOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
            ViewportSize = new ViewportSize { Width = 1200, Height = 900 },
        });
        var page = browser.Pages.Count > 0 ? browser.Pages[0] : await browser.NewPageAsync();
        var problems = new List<string>();
        page.Console += (_, m) => { if (m.Type == "error") problems.Add($"console error on {page.Url}: {m.Text}"); };
        page.PageError += (_, err) => problems.Add($"script error on {page.Url}: {err}");
        page.RequestFailed += (_, r) => problems.Add($"request failed: {r.Url} ({r.Failure})");

        foreach (var file in pages)
        {
            await page.GotoAsync(new Uri(file).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
            var images = await page.EvaluateAsync<JsonElement>("() => Array.from(document.images).map(i => ({ src: i.currentSrc, ok: i.complete && i.naturalWidth > 0, alt: i.getAttribute('alt') || '' }))");
            foreach (var img in images.EnumerateArray())
            {
                Assert.That(img.GetProperty("ok").GetBoolean(), Is.True, $"{file}: image {img.GetProperty("src")} did not load");
                Assert.That(img.GetProperty("alt").GetString(), Is.Not.Empty, $"{file}: image {img.GetProperty("src")} has no alt text");
            }
            if (file != pages[0]) Assert.That(images.GetArrayLength(), Is.GreaterThan(0), $"{file}: the run page shows its images");

            var links = await page.EvaluateAsync<string[]>("() => Array.from(document.querySelectorAll('a[href], link[href], [src]')).map(a => a.href || a.src)");
            foreach (var link in links)
            {
                var uri = new Uri(link);
                if (uri.Scheme == "data") continue;
                Assert.That(uri.Scheme, Is.EqualTo("file"), $"{file}: '{link}' leaves the run folder (galleries are offline)");
                if (uri.Fragment.Length > 1 && uri.LocalPath == new Uri(file).LocalPath)
                    Assert.That(await page.EvaluateAsync<bool>("id => document.getElementById(id) !== null", Uri.UnescapeDataString(uri.Fragment[1..])), Is.True, $"{file}: broken anchor {link}");
                else
                    Assert.That(File.Exists(uri.LocalPath) || Directory.Exists(uri.LocalPath), Is.True, $"{file}: broken link {link}");
            }
            Assert.That(await page.EvaluateAsync<bool>("() => window.__pwned === undefined"), Is.True, $"{file}: injected script ran");
        }

        // The hostile run: the class name shows as text, and the sortable table sorts.
        await page.GotoAsync(new Uri(pages[1]).AbsoluteUri);
        Assert.That(await page.InnerTextAsync("body"), Does.Contain(GalleryTests.Evil));
        var header = page.Locator("table.sortable", new PageLocatorOptions { HasText = "per class" }).Locator("th", new LocatorLocatorOptions { HasText = "accuracy" });
        await header.ClickAsync();
        await header.ClickAsync();
        Assert.That(await header.GetAttributeAsync("aria-sort"), Is.EqualTo("descending"));
        var firstCell = await page.Locator("table.sortable", new PageLocatorOptions { HasText = "per class" }).Locator("tbody tr").First.Locator("td").First.InnerTextAsync();
        Assert.That(firstCell, Is.EqualTo("Trouser"), "sorted by accuracy, descending");

        await page.GotoAsync(new Uri(pages[^1]).AbsoluteUri);
        var shot = Path.Combine(TestContext.CurrentContext.WorkDirectory, "gallery-screenshot.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        Assert.That(new FileInfo(shot).Length, Is.GreaterThan(10_000));
        TestContext.AddTestAttachment(shot, "gallery screenshot");
        TestContext.Out.WriteLine($"screenshot: {shot}");
        Assert.That(problems, Is.Empty);
    }
}
