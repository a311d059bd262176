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
/// injected markup, and anything wider than the window at desktop and phone widths. Saves screenshots. Inconclusive
/// where chromium is not installed; CI installs it.
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

    /// <summary>
    /// The shrunk quickstart's gallery at a desktop width (1400 px) and a phone width (390 px): full-page screenshots
    /// (attached to the test result), no element reaching past the viewport, the page never scrolling sideways, and at
    /// desktop width no result table needing to scroll. At phone width a wide table may scroll inside its own box, as
    /// may the raw results.json tables folded under "All numbers" and the config text.
    /// </summary>
    [TestCase(1400, false)]
    [TestCase(390, true)]
    public async Task QuickstartGalleryFitsTheWindow(int width, bool tablesMayScroll)
    {
        Assume.That(File.Exists(Chromium), $"chromium not found at {Chromium} (apt-get install chromium, or set CHROMIUM_PATH)");
        var page = Path.Combine(QuickstartEndToEndTests.RunFolder(), Gallery.PageFile);
        Assert.That(File.Exists(page), Is.True, "the quickstart wrote its gallery");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
        var tab = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = width, Height = 900 } });
        await tab.GotoAsync(new Uri(page).AbsoluteUri, new PageGotoOptions { WaitUntil = WaitUntilState.Load });
        var shot = Path.Combine(TestContext.CurrentContext.WorkDirectory, $"quickstart-gallery-{width}.png");
        await tab.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });
        TestContext.AddTestAttachment(shot, $"quickstart gallery at {width} px");
        TestContext.Out.WriteLine($"screenshot: {shot}");

        var overflow = await tab.EvaluateAsync<string[]>(OverflowScript, tablesMayScroll);
        Assert.That(overflow, Is.Empty, $"at {width} px");
        Assert.That(new FileInfo(shot).Length, Is.GreaterThan(20_000));
    }

    /// <summary>
    /// Lists what does not fit the viewport: elements whose box reaches past it (unless a scrolling or clipping box
    /// around them hides the excess), the page scrolling sideways, and (unless allowed) a box that must scroll.
    /// </summary>
    private const string OverflowScript = """
        tablesMayScroll => {
          const vw = document.documentElement.clientWidth, out = [];
          const describe = el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '') +
            ' "' + (el.textContent || el.getAttribute('alt') || '').trim().replace(/\s+/g, ' ').slice(0, 50) + '"';
          const clipped = el => { for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) if (getComputedStyle(a).overflowX !== 'visible') return true; return false; };
          for (const el of document.querySelectorAll('body *')) {
            const r = el.getBoundingClientRect();
            if ((r.width === 0 && r.height === 0) || el.closest('details:not([open]) > :not(summary)')) continue;
            if ((r.right > vw + 0.5 || r.left < -0.5) && !clipped(el)) out.push(`${describe(el)} spans ${Math.round(r.left)}..${Math.round(r.right)} px`);
          }
          if (document.documentElement.scrollWidth > vw) out.push(`the page scrolls sideways (${document.documentElement.scrollWidth} > ${vw} px)`);
          for (const el of document.querySelectorAll('body *')) {
            const o = getComputedStyle(el).overflowX;
            if ((o === 'auto' || o === 'scroll') && el.scrollWidth > el.clientWidth + 1 && !(tablesMayScroll || el.tagName === 'PRE' || el.closest('details')))
              out.push(`${describe(el)} cuts off ${el.scrollWidth - el.clientWidth} px (scrolls inside)`);
          }
          return out;
        }
        """;
}
