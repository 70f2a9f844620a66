using HealthChecks.Warmup.Discovery;

namespace HealthChecks.Warmup.Tests.Discovery;

[TestFixture]
public sealed class BoundAddressesTests
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
        Assert.That(BoundAddresses.ParseAddress(address)?.AbsoluteUri, Is.EqualTo(expected));

    [TestCase("not an address")]
    [TestCase("ftp://host:21")]
    public void ParseAddress_Unusable_IsNull(string address) =>
        Assert.That(BoundAddresses.ParseAddress(address), Is.Null);

    [Test]
    public async Task Seeds_AreTheEntryPathsOnTheOrigin()
    {
        var options = new SiteWarmupOptions { EntryPaths = ["/", "/shop?lang=en", "/docs/"] };

        var (scope, seeds) = await WarmupSeeds.DiscoverAsync("site-warmup", SiteAddress.Of(new Uri("http://localhost:5000/")), options, [], new AppEndpoints.Found(["/api/ping"], ["/api/items/1"]), CancellationToken.None);

        Assert.That(seeds.Where(s => s.IsEntry).Select(s => s.Url.AbsoluteUri), Is.EqualTo(new[]
        {
            "http://localhost:5000/", "http://localhost:5000/shop?lang=en", "http://localhost:5000/docs/",
        }));
        Assert.That(seeds.Where(s => !s.IsEntry).Select(s => (s.Url.AbsoluteUri, s.IsDiscovered)), Is.EqualTo(new[]
        {
            ("http://localhost:5000/api/items/1", false), ("http://localhost:5000/api/ping", true),
        }), "a sample path is the user's word; a discovered endpoint is the library's guess");
        Assert.That(scope.Origins.Select(o => o.AbsoluteUri), Is.EqualTo(new[] { "http://localhost:5000/" }));
    }

    [Test]
    public async Task Seeds_WithHosts_AreEachHostsEntryPages()
    {
        var options = new SiteWarmupOptions { EntryPaths = ["/"], Hosts = ["alpha.example", "beta.example:8443"] };

        var (scope, seeds) = await WarmupSeeds.DiscoverAsync("site-warmup", SiteAddress.Of(new Uri("http://localhost:5000/")), options, [], endpoints: null, CancellationToken.None);

        Assert.That(seeds.Select(s => s.Url.AbsoluteUri), Is.EqualTo(new[] { "http://alpha.example:5000/", "http://beta.example:8443/" }));
        Assert.That(scope.Contains(new Uri("http://beta.example:8443/x")), Is.True);
        Assert.That(scope.Contains(new Uri("http://beta.example:5000/x")), Is.False);
    }

    [TestCase("tenant.example", "http://tenant.example:5000/")]
    [TestCase("tenant.example:8443", "http://tenant.example:8443/")]
    [TestCase("[::1]", "http://[::1]:5000/")]
    [TestCase("[::1]:81", "http://[::1]:81/")]
    public void HostOrigin_KeepsTheOriginsPortUnlessNamed(string host, string expected) =>
        Assert.That(WarmupSeeds.HostOrigin(new Uri("http://localhost:5000/"), host)?.AbsoluteUri, Is.EqualTo(expected));

    [TestCase("evil.example/path")]
    [TestCase("user@evil.example")]
    [TestCase("")]
    [TestCase("two words")]
    public void HostOrigin_NotAHost_IsNull(string host) =>
        Assert.That(WarmupSeeds.HostOrigin(new Uri("http://localhost:5000/"), host), Is.Null);
}
