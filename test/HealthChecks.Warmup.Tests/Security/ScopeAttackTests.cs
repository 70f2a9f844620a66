using System.Net;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Security;

/// <summary>
/// SSRF: fixture pages point at a canary server on another loopback address every way an attacker
/// could write it; over either transport the canary must receive nothing.
/// </summary>
[TestFixture(WarmupTransport.InProcess)]
[TestFixture(WarmupTransport.Http)]
public sealed class ScopeAttackTests(WarmupTransport transport)
{
    private RecordingServer _canary = null!;

    [OneTimeSetUp]
    public async Task StartCanary() => _canary = await RecordingServer.StartAsync("127.0.0.2");

    [OneTimeTearDown]
    public async Task StopCanary() => await _canary.DisposeAsync();

    private string Other => _canary.Address.Authority;

    private int OtherPort => _canary.Address.Port;

    private async Task<(FixtureSite Site, Probe Probe)> WarmAsync(string html, Action<FixtureSite>? extra = null)
    {
        var site = new FixtureSite { Configure = o => o.Transport = transport }.Html("/", html);
        extra?.Invoke(site);
        await site.StartAsync();
        return (site, await site.WaitForVerdictAsync());
    }

    private static IEnumerable<string> Attacks() =>
    [
        "http://{other}/absolute",
        "//{other}/protocol-relative",
        "http://localhost@{other}/userinfo",
        "http://127.0.0.1:{port}@{other}/userinfo-with-port",
        "http:\\\\{other}\\backslashes",
        "/\\{other}/slash-backslash",
        "\\\\{other}/double-backslash",
        "http:/{other}/one-slash",
        "http://2130706434:{port}/decimal",
        "http://0x7f.0.0.2:{port}/hex",
        "http://0177.0.0.2:{port}/octal",
        "http://127.2:{port}/short-form",
        "http://%31%32%37.0.0.2:{port}/percent-encoded",
        "http://[::ffff:127.0.0.2]:{port}/ipv4-mapped-ipv6",
        "http://[::1]:{port}/ipv6",
        "http://ℓocalhost:{port}/idn-look-alike",
        "https://{other}/other-scheme",
        "ftp://{other}/ftp",
        "file:///etc/passwd",
        "blob:http://{other}/blob",
        "data:text/html,<a href=http://{other}/in-data>x</a>",
        "javascript:fetch('http://{other}/js')",
    ];

    [TestCaseSource(nameof(Attacks))]
    public async Task Link_ToAnotherOrigin_IsNeverRequested(string attack)
    {
        var target = attack.Replace("{other}", Other, StringComparison.Ordinal).Replace("{port}", OtherPort.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        var (site, probe) = await WarmAsync($"<a href=\"{target}\">a</a><img src=\"{target}\"><link rel=\"stylesheet\" href=\"{target}\">");
        await using var _ = site;

        Assert.That(_canary.Requests, Is.Empty);
        Assert.That(site.WarmupRequests.Select(r => r.Host), Is.All.EqualTo(site.Address.Authority));
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [TestCase(301)]
    [TestCase(302)]
    [TestCase(303)]
    [TestCase(307)]
    [TestCase(308)]
    public async Task Redirect_ToAnotherOrigin_IsNotFollowed(int status)
    {
        var (site, probe) = await WarmAsync("<a href=\"/away\">a</a><img src=\"/img/away.png\">", s => s
            .Redirect("/away", $"http://{Other}/redirected-page", status)
            .Redirect("/img/away.png", $"//{Other}/redirected-image", status));
        await using var _ = site;

        Assert.That(_canary.Requests, Is.Empty);
        Assert.That(probe.Count("outOfScope"), Is.EqualTo(2));
    }

    [Test]
    public async Task MetaRefreshBaseAndImport_ToAnotherOrigin_AreNotFollowed()
    {
        var (site, _) = await WarmAsync(
            $"<meta http-equiv=\"refresh\" content=\"0; url=http://{Other}/refresh\"><a href=\"/based\">b</a><link rel=\"stylesheet\" href=\"/site.css\">",
            s => s
                .Html("/based", $"<html><head><base href=\"http://{Other}/\"></head><body><img src=\"x.png\"><a href=\"y\">y</a></body></html>")
                .Css("/site.css", $"@import \"http://{Other}/import.css\"; @import url(//{Other}/import2.css); a {{ background: url(http://{Other}/bg.png) }}"));
        await using var _ = site;

        Assert.That(_canary.Requests, Is.Empty);
    }

    [Test]
    public async Task SpoofedHostHeaderOnProbes_NeverSteersTheCrawl()
    {
        var site = new FixtureSite { Configure = o => o.Transport = transport }.Html("/", "<a href=\"/page\">p</a>").Html("/page", "ok");
        await using var _ = await site.StartAsync();
        for (var i = 0; i < 10; i++)
        {
            using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/health/ready?verbose=yes");
            spoofed.Headers.Host = Other;
            spoofed.Headers.Add("X-Forwarded-Host", Other);
            await site.Client.SendAsync(spoofed);
        }
        await site.WaitForVerdictAsync();

        Assert.That(_canary.Requests, Is.Empty);
        Assert.That(site.WarmupRequests.Select(r => r.Host), Is.All.EqualTo(site.Address.Authority));
    }
}
