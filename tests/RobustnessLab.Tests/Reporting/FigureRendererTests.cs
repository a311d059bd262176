using System.Buffers.Binary;
using System.Xml.Linq;
using NUnit.Framework;
using RobustnessLab.Core;
using RobustnessLab.Evaluation;
using RobustnessLab.Reporting;
using RobustnessLab.Reporting.Figures;
using RobustnessLab.Tests.Experiments;
using SkiaSharp;

namespace RobustnessLab.Tests.Reporting;

/// <summary>
/// The figure renderer: SVG that parses with its labels as &lt;text&gt; and its images as embedded PNG, PNG of the
/// expected size at a scale with the text really drawn in the embedded font and the pixels of an image kept sharp,
/// the same bytes every time, and both files written.
/// </summary>
public class FigureRendererTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    /// <summary>A 4x4 checkerboard, black top-left.</summary>
    private static ImageData Checker() => new(1, 4, 4, Enumerable.Range(0, 16).Select(i => (i / 4 + i % 4) % 2 == 0 ? 0f : 1f).ToArray());

    private static Figure Sample() => new(200, 120, "sample",
    [
        new FigureRaster(Checker(), 10, 10, 40, 40, FigureStyle.Frame),
        new FigureText("fgsm, ε = 0.1", 60, 30, 14, Bold: true),
        new FigureText("x′ = x + ε · sign(∇ₓJ(θ, x, y))", 100, 80, 11, TextAnchor.Middle, Math: true),
        new FigureLine(10, 100, 190, 100),
        new FigureGroup(0, 0, [new FigureMarker("diamond", 20, 110, "#0072B2")]),
    ]);

    private static AdversarialPanel Panel() => new()
    {
        Index = 7, Attack = "fgsm", Eps = 0.1, TrueLabel = "Trouser",
        Clean = new Prediction(1, "Trouser", 0.973), Adversarial = new Prediction(3, "Dress", 0.61), Rounded8Bit = new Prediction(3, "Dress", 0.6),
        Saved = new Prediction(3, "Dress", 0.6), Success = true, Linf = 0.1, L2 = 2.0, DirectionLabel = "sign(∇ₓJ(θ, x, y))",
        CleanImage = new ImageData(1, 28, 28, Enumerable.Range(0, 784).Select(i => i % 28 / 27f).ToArray()),
        DirectionImage = new ImageData(1, 28, 28, Enumerable.Range(0, 784).Select(i => i % 2 == 0 ? 1f : -1f).ToArray()),
        AdversarialImage = new ImageData(1, 28, 28, Enumerable.Range(0, 784).Select(i => i / 28 / 27f).ToArray()),
    };

    [Test]
    public void SvgParsesWithLabelsAsTextAndImagesAsEmbeddedPng()
    {
        var doc = XDocument.Parse(FigureSvg.Render(Sample()));
        var root = doc.Root!;
        var texts = root.Descendants(Svg + "text").Select(t => t.Value).ToList();
        var images = root.Descendants(Svg + "image").ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(root.Name, Is.EqualTo(Svg + "svg"));
            Assert.That((string?)root.Attribute("width"), Is.EqualTo("200"));
            Assert.That((string?)root.Attribute("font-family"), Does.Contain("DejaVu Sans"));
            Assert.That(texts, Is.EquivalentTo(new[] { "fgsm, ε = 0.1", "x′ = x + ε · sign(∇ₓJ(θ, x, y))" }), "labels are text, whole, in reading order");
            var math = root.Descendants(Svg + "text").Last().Elements(Svg + "tspan").Select(t => t.Value).ToList();
            Assert.That(math, Is.EqualTo(new[] { "x", "x", "J", "x", "y" }), "variables in italic, 'sign' and Greek upright");
            Assert.That(images, Has.Count.EqualTo(1));
            var href = (string)images[0].Attribute("href")!;
            Assert.That(href, Does.StartWith("data:image/png;base64,"));
            using var bitmap = SKBitmap.Decode(Convert.FromBase64String(href["data:image/png;base64,".Length..]));
            Assert.That((bitmap.Width, bitmap.Height), Is.EqualTo((4, 4)), "the file's SVG embeds the image at its own resolution (lossless)");
            Assert.That(bitmap.GetPixel(0, 0).Red, Is.Zero);
            Assert.That(bitmap.GetPixel(1, 0).Red, Is.EqualTo(255));
            Assert.That((string?)images[0].Attribute("image-rendering"), Is.EqualTo("pixelated"));
        }
    }

    [TestCase(1.0)]
    [TestCase(2.0)]
    [TestCase(1.5)]
    public void PngHasTheFigureSizeTimesTheScale(double scale)
    {
        var png = FigurePng.Render(Sample(), scale);
        var (w, h) = PngSize(png);
        Assert.That((w, h), Is.EqualTo(((int)Math.Ceiling(200 * scale), (int)Math.Ceiling(120 * scale))));
    }

    [Test]
    public void SameFigureSameBytes()
    {
        string svg1 = FigureSvg.Render(Sample()), svg2 = FigureSvg.Render(Sample());
        byte[] png1 = FigurePng.Render(Sample(), 2), png2 = FigurePng.Render(Sample(), 2);
        byte[] panel1 = FigurePng.Render(AdversarialPanelFigure.Build(Panel()), 1), panel2 = FigurePng.Render(AdversarialPanelFigure.Build(Panel()), 1);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(svg2, Is.EqualTo(svg1));
            Assert.That(png2, Is.EqualTo(png1));
            Assert.That(panel2, Is.EqualTo(panel1));
        }
    }

    [Test]
    public void TextIsRasterisedInTheEmbeddedFont()
    {
        Assert.That(FigureFont.Regular.FamilyName, Is.EqualTo("DejaVu Sans"));
        Assert.That(FigureFont.Bold.FontStyle.Weight, Is.GreaterThanOrEqualTo((int)SKFontStyleWeight.Bold));
        var blank = new Figure(120, 40, "blank", []);
        var label = blank with { Elements = [new FigureText("∇ₓJ(θ, x, y)", 10, 28, 20)] };
        int inkBlank = Ink(FigurePng.Render(blank, 2)), inkLabel = Ink(FigurePng.Render(label, 2));
        using var font = new SKFont(FigureFont.Regular, 20);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inkBlank, Is.Zero, "an empty figure is white");
            Assert.That(inkLabel, Is.GreaterThan(300), "the label leaves ink");
            Assert.That(font.GetGlyphs("∇ₓθεx′·−‖∞δ").Count(g => g == 0), Is.Zero, "every symbol the labels use has a glyph in DejaVu Sans");
        }
    }

    [Test]
    public void ImagesStaySharpSquaresInThePng()
    {
        // The checker at 40x40 CSS px, scale 2: each source pixel is a 20x20 block, not a blur.
        var fig = new Figure(60, 60, "checker", [new FigureRaster(Checker(), 10, 10, 40, 40)]);
        using var bitmap = SKBitmap.Decode(FigurePng.Render(fig, 2));
        var values = new List<byte>();
        for (int by = 0; by < 4; by++)
            for (int bx = 0; bx < 4; bx++)
                for (int dy = 0; dy < 20; dy += 19)
                    for (int dx = 0; dx < 20; dx += 19)
                        values.Add(bitmap.GetPixel(20 + bx * 20 + dx, 20 + by * 20 + dy).Red);
        Assert.That(values.Distinct(), Is.EquivalentTo(new byte[] { 0, 255 }), "block corners are pure black or white");
    }

    [Test]
    public void WriterWritesBothFormatsOrTheOneAskedFor()
    {
        var dir = ExperimentFixtures.TempDir("figure-writer");
        var both = FigureWriter.Write(Sample(), Path.Combine(dir, "a"));
        var svgOnly = FigureWriter.Write(Sample(), Path.Combine(dir, "b"), FigureOutput.Parse("svg"));
        var png3 = FigureWriter.Write(Sample(), Path.Combine(dir, "c"), FigureOutput.Parse("png", 3));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(File.Exists(Path.Combine(dir, "a.svg")) && File.Exists(Path.Combine(dir, "a.png")), Is.True);
            Assert.That(both.Preferred, Does.EndWith("a.svg"));
            Assert.That(PngSize(File.ReadAllBytes(both.Png!)), Is.EqualTo((400, 240)), "default scale 2");
            Assert.That((svgOnly.Svg is not null, svgOnly.Png is null, File.Exists(Path.Combine(dir, "b.png"))), Is.EqualTo((true, true, false)));
            Assert.That(PngSize(File.ReadAllBytes(png3.Preferred)), Is.EqualTo((600, 360)));
            Assert.That(FigureWriter.Stem("out/x.png"), Is.EqualTo("out/x"));
            Assert.That(() => FigureOutput.Parse("pdf"), Throws.TypeOf<LabException>().With.Message.Contains("pdf"));
            Assert.That(() => FigureOutput.Parse(null, 0), Throws.TypeOf<LabException>().With.Message.Contains("scale"));
        }
    }

    [Test]
    public void AdversarialPanelReadsAsMathAndFitsItsPage()
    {
        var fig = AdversarialPanelFigure.Build(Panel());
        var root = XDocument.Parse(FigureSvg.Render(fig)).Root!;
        var texts = root.Descendants(Svg + "text").Select(t => t.Value).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(texts, Does.Contain("sign(∇ₓJ(θ, x, y))"));
            Assert.That(texts, Does.Contain("x′ = x + ε · sign(∇ₓJ(θ, x, y))"));
            Assert.That(texts, Does.Contain("Trouser 97.3%"));
            Assert.That(texts, Does.Contain("saved: Dress 60.0%"));
            Assert.That(texts.Any(t => t.Contains("grad") || t.Contains("eps")), Is.False, "no ASCII stand-ins for the symbols");
            Assert.That(root.Descendants(Svg + "image").Count(), Is.EqualTo(3));
            foreach (var t in fig.Elements.OfType<FigureText>())
            {
                double w = FigureFont.Measure(t.Text, t.Size, t.Bold);
                double left = t.Anchor switch { TextAnchor.Middle => t.X - w / 2, TextAnchor.End => t.X - w, _ => t.X };
                Assert.That(left >= 0 && left + w <= fig.Width, Is.True, $"'{t.Text}' lies inside the figure");
            }
        }
    }

    [Test]
    public void ChartsRenderInlineForThePageAndAsFilesFromOneLayout()
    {
        var chart = new CurveChart("Robust accuracy", "eps", "robust accuracy",
            [new CurveSeries("fgsm", [0, 0.1, 0.2], [0.9, 0.4, 0.1]), new CurveSeries("pgd", [0, 0.1, 0.2], [0.9, double.NaN, 0.0])], YPercent: true);
        var inline = XDocument.Parse(SvgChart.Render(chart, "fig3")).Root!;
        var file = XDocument.Parse(FigureSvg.Render(ChartFigure.Build(chart))).Root!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(((string?)inline.Attribute("class"), (string?)inline.Attribute("id"), (string?)inline.Attribute("width")), Is.EqualTo(("chart", "fig3", (string?)null)));
            Assert.That((string?)inline.Element(Svg + "title")!.Attribute("id"), Is.EqualTo("fig3-t"));
            Assert.That((string?)file.Attribute("width"), Is.EqualTo("640"));
            var tooltips = inline.Descendants(Svg + "g").Select(g => (string?)g.Element(Svg + "title")).ToList();
            Assert.That(tooltips, Is.EquivalentTo(new[] { "fgsm: 0 → 90%", "fgsm: 0.1 → 40%", "fgsm: 0.2 → 10%", "pgd: 0 → 90%", "pgd: 0.2 → 0%" }), "one tooltip per measured point");
            Assert.That(file.Descendants(Svg + "text").Select(t => t.Value), Is.SupersetOf(new[] { "Robust accuracy", "fgsm", "pgd", "eps", "40%" }));
            Assert.That(inline.ToString() + file, Does.Not.Contain("NaN"), "a missing value breaks the line");
            Assert.That(file.Descendants(Svg + "polyline").Count(), Is.EqualTo(1), "fgsm's line; pgd's points on either side of the gap are not bridged");
        }
    }

    private static (int Width, int Height) PngSize(byte[] png)
    {
        Assert.That(png.Take(8), Is.EqualTo(new byte[] { 137, 80, 78, 71, 13, 10, 26, 10 }), "PNG signature");
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    private static int Ink(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        int n = 0;
        for (int y = 0; y < bitmap.Height; y++)
            for (int x = 0; x < bitmap.Width; x++)
                if (bitmap.GetPixel(x, y).Red < 128) n++;
        return n;
    }
}
