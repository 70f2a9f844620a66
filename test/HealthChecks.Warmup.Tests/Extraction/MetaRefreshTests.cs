using HealthChecks.Warmup.Extraction;

namespace HealthChecks.Warmup.Tests.Extraction;

[TestFixture]
public sealed class MetaRefreshTests
{
    [TestCase("0; url=/next", "/next")]
    [TestCase("5;URL='/quoted'", "/quoted")]
    [TestCase("3, url=\"/double\"", "/double")]
    [TestCase("0; /bare", "/bare")]
    [TestCase("  1.5 ;  url = /spaced", "/spaced")]
    public void Url_ReadsTheTarget(string content, string expected) =>
        Assert.That(MetaRefresh.Url(content), Is.EqualTo(expected));

    [TestCase("5")]
    [TestCase("")]
    [TestCase("url=/no-delay")]
    [TestCase("0;")]
    [TestCase(null)]
    public void Url_WithoutATarget_IsNull(string? content) =>
        Assert.That(MetaRefresh.Url(content), Is.Null);
}
