using HealthChecks.Warmup.Discovery;

namespace HealthChecks.Warmup.Tests.Discovery;

[TestFixture]
public sealed class EntryPointDiscoveryTests
{
    [TestCase("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [TestCase("http://localhost:5150", "http://localhost:5150/")]
    [TestCase("https://example.test:443", "https://example.test/")]
    [TestCase("http://+:80", "http://localhost/")]
    [TestCase("http://*:8080", "http://localhost:8080/")]
    [TestCase("http://0.0.0.0:8080", "http://localhost:8080/")]
    [TestCase("http://[::]:8080", "http://localhost:8080/")]
    [TestCase("http://[::1]:8080", "http://[::1]:8080/")]
    [TestCase("http://unix:/tmp/app.sock", "http://localhost/")]
    public void ParseAddress_ReadsTheOrigin(string address, string expected) =>
        Assert.That(EntryPointDiscovery.ParseAddress(address)?.AbsoluteUri, Is.EqualTo(expected));

    [TestCase("not an address")]
    [TestCase("ftp://host:21")]
    public void ParseAddress_Unusable_IsNull(string address) =>
        Assert.That(EntryPointDiscovery.ParseAddress(address), Is.Null);

    [Test]
    public void EntryPages_AreResolvedOnTheOriginWithoutRepeats()
    {
        var options = new SiteWarmupOptions { EntryPaths = ["/", "/shop?lang=en", "/", "/docs/"] };

        var pages = EntryPointDiscovery.EntryPages(new Uri("http://localhost:5000/"), options);

        Assert.That(pages.Select(p => p.AbsoluteUri), Is.EqualTo(new[]
        {
            "http://localhost:5000/", "http://localhost:5000/shop?lang=en", "http://localhost:5000/docs/",
        }));
    }
}
