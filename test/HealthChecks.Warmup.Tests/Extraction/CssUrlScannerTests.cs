using HealthChecks.Warmup.Extraction;

namespace HealthChecks.Warmup.Tests.Extraction;

[TestFixture]
public sealed class CssUrlScannerTests
{
    private static List<string> Scan(string css)
    {
        var urls = new List<string>();
        CssUrlScanner.Scan(css, urls);
        return urls;
    }

    [TestCase("a{background:url(x.png)}", "x.png")]
    [TestCase("a{background:url( x.png )}", "x.png")]
    [TestCase("a{background:url('x.png')}", "x.png")]
    [TestCase("a{background:url(\"x.png\")}", "x.png")]
    [TestCase("a{background:URL(\"x.png\")}", "x.png")]
    [TestCase("a{background:url(  \"x y.png\"  )}", "x y.png")]
    [TestCase("@import 'a.css';", "a.css")]
    [TestCase("@import \"a.css\" screen;", "a.css")]
    [TestCase("@import url(a.css);", "a.css")]
    [TestCase("@IMPORT url(\"a.css\") layer(base);", "a.css")]
    [TestCase("a{b:image-set(\"a.png\" 1x)}", "a.png")]
    [TestCase("a{b:-webkit-image-set('a.png' 1x)}", "a.png")]
    [TestCase("a{b:image-set(url(a.png) 1x)}", "a.png")]
    [TestCase("a{b:url(a\\).png)}", "a).png")]
    [TestCase("a{b:url(\"a\\\"b.png\")}", "a\"b.png")]
    [TestCase("a{b:url(\\2f x.png)}", "/x.png")]
    [TestCase("a{b:url(\"\\2F x.png\")}", "/x.png")]
    [TestCase("a{b:url(\"long\\\nline.png\")}", "longline.png")]
    [TestCase("a{b:u\\72l(escaped-name.png)}", "escaped-name.png")]
    public void Scan_FindsTheUrl(string css, string expected) =>
        Assert.That(Scan(css), Is.EqualTo(new[] { expected }));

    [Test]
    public void Scan_FontFace_FindsEverySourceButNotLocalNames()
    {
        const string css = """
            @font-face {
              font-family: "Sample";
              src: local("Sample Regular"), url(../fonts/s.woff2) format("woff2"),
                   url('../fonts/s.woff') format('woff');
            }
            """;

        Assert.That(Scan(css), Is.EqualTo(new[] { "../fonts/s.woff2", "../fonts/s.woff" }));
    }

    [Test]
    public void Scan_ImageSet_FindsEveryCandidate()
    {
        const string css = "a { background-image: image-set(\"a.avif\" type(\"image/avif\"), \"a-1x.png\" 1x, url(a-2x.png) 2x); }";

        Assert.That(Scan(css), Is.EqualTo(new[] { "a.avif", "a-1x.png", "a-2x.png" }));
    }

    [TestCase("/* url(commented.png) */", TestName = "comment")]
    [TestCase("/* @import 'x.css'; */", TestName = "import in a comment")]
    [TestCase("a { content: \"url(in-a-string.png)\" }", TestName = "url in a string")]
    [TestCase("a { font-family: \"Not a url\" }", TestName = "ordinary string")]
    [TestCase("a { b: url(bad url.png) }", TestName = "bad url: space inside")]
    [TestCase("a { b: url(bad\"url.png) }", TestName = "bad url: quote inside")]
    [TestCase("a { b: url(bad(url.png) }", TestName = "bad url: paren inside")]
    [TestCase("a { b: url() }", TestName = "empty url")]
    [TestCase("a { b: url(\"unterminated\n.png\") }", TestName = "bad string")]
    [TestCase("a { b: format(\"woff2\") }", TestName = "format string")]
    [TestCase("@media screen { a { b: \"x.png\" } }", TestName = "string outside image-set")]
    [TestCase("@import", TestName = "import at end of input")]
    [TestCase("a { b: url(", TestName = "url at end of input")]
    [TestCase("/* unterminated comment url(x.png)", TestName = "unterminated comment")]
    public void Scan_FindsNothing(string css) => Assert.That(Scan(css), Is.Empty);

    [Test]
    public void Scan_ImportFlag_EndsAtTheStatement()
    {
        Assert.That(Scan("@import url(a.css); a { content: \"b.png\" }"), Is.EqualTo(new[] { "a.css" }));
    }

    [TestCase("url(")]
    [TestCase("\\")]
    [TestCase("'\\")]
    [TestCase("url(\\")]
    [TestCase("@")]
    [TestCase("-")]
    [TestCase("-\\")]
    [TestCase("image-set(\"a\"")]
    [TestCase(")))))(((((")]
    [TestCase("url(\"a\" x)")]
    public void Scan_TruncatedInput_NeitherThrowsNorLoops(string css) =>
        Assert.That(() => Scan(css), Throws.Nothing);

    [Test]
    public void Scan_PathologicalInput_IsLinear()
    {
        var css = string.Concat(Enumerable.Repeat("url(url(image-set((\"", 50_000));

        Assert.That(() => Scan(css), Throws.Nothing);
    }
}
