using HealthChecks.Warmup.Extraction;

namespace HealthChecks.Warmup.Tests.Extraction;

[TestFixture]
public sealed class SrcsetParserTests
{
    private static List<string> Parse(string? srcset)
    {
        var urls = new List<string>();
        SrcsetParser.ParseUrls(srcset, urls);
        return urls;
    }

    [TestCase("a.png", new[] { "a.png" })]
    [TestCase("a.png 1x, b.png 2x", new[] { "a.png", "b.png" })]
    [TestCase("a.png 320w,b.png 640w", new[] { "a.png", "b.png" })]
    [TestCase("  a.png   1x  ,   b.png  ", new[] { "a.png", "b.png" })]
    [TestCase("a,b.png 1x, c,d.png 2x", new[] { "a,b.png", "c,d.png" })]
    [TestCase("a.png,b.png", new[] { "a.png,b.png" })]
    [TestCase("a.png, b.png", new[] { "a.png", "b.png" })]
    [TestCase("a.png 1x (ignored, descriptor), b.png 2x", new[] { "a.png", "b.png" })]
    [TestCase("data:image/png;base64,AAA= 1x, b.png 2x", new[] { "data:image/png;base64,AAA=", "b.png" })]
    [TestCase(",,, a.png", new[] { "a.png" })]
    [TestCase("", new string[0])]
    [TestCase("   ", new string[0])]
    [TestCase(",", new string[0])]
    public void ParseUrls_FollowsTheWhatwgAlgorithm(string srcset, string[] expected) =>
        Assert.That(Parse(srcset), Is.EqualTo(expected));

    [Test]
    public void ParseUrls_Null_FindsNothing() => Assert.That(Parse(null), Is.Empty);
}
