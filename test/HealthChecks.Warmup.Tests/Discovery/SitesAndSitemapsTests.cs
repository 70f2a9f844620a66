using HealthChecks.Warmup.Reporting;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using System.Text;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Discovery;

/// <summary>Several sites in one app, several registrations, sitemaps and robots.txt — over both transports.</summary>
[TestFixture(WarmupTransport.InProcess)]
[TestFixture(WarmupTransport.Http)]
public sealed class SitesAndSitemapsTests(WarmupTransport transport)
{
    private FixtureSite Site(Action<SiteWarmupOptions>? configure = null) => new()
    {
        Configure = o =>
        {
            o.Transport = transport;
            o.DiscoverSitemaps = true;
            configure?.Invoke(o);
        },
    };

    private static string UrlSet(params string[] urls) =>
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
        + string.Concat(urls.Select(u => $"<url><loc>{u}</loc><lastmod>2026-01-01</lastmod></url>")) + "</urlset>";

    private static RequestDelegate Xml(Func<HttpContext, string> body) => async context =>
    {
        context.Response.ContentType = "application/xml";
        await context.Response.WriteAsync(body(context));
    };

    private static RequestDelegate Gzip(Func<HttpContext, string> body) => async context =>
    {
        context.Response.ContentType = "application/gzip";
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(body(context)));
        }
        await context.Response.Body.WriteAsync(buffer.ToArray());
    };

    private static string Origin(HttpContext context) => $"{context.Request.Scheme}://{context.Request.Host}";

    [Test]
    public async Task OrphanPageListedOnlyInTheSitemap_IsWarmed()
    {
        await using var site = await Site()
            .Html("/", "<p>no links</p>")
            .Route("/sitemap.xml", Xml(c => UrlSet($"{Origin(c)}/", $"{Origin(c)}/orphan")))
            .Html("/orphan", "<img src=\"/img/orphan.png\">")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Does.Contain("/orphan").And.Contain("/img/orphan.png"));
        Assert.That(site.CountOf("/"), Is.EqualTo(1));
    }

    [Test]
    public async Task SitemapIndexOfTwoGzipSitemaps_NamedByRobotsTxt_IsRead()
    {
        await using var site = await Site()
            .Html("/", "home")
            .Route("/robots.txt", async c => await c.Response.WriteAsync($"User-agent: *\nDisallow:\nSitemap: {Origin(c)}/sitemaps/index.xml\n"))
            .Route("/sitemaps/index.xml", Xml(c =>
                "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                + $"<sitemap><loc>{Origin(c)}/sitemaps/a.xml.gz</loc></sitemap><sitemap><loc>/sitemaps/b.xml.gz</loc></sitemap></sitemapindex>"))
            .Route("/sitemaps/a.xml.gz", Gzip(c => UrlSet($"{Origin(c)}/from-a")))
            .Route("/sitemaps/b.xml.gz", Gzip(c => UrlSet($"{Origin(c)}/from-b")))
            .Html("/from-a", "a")
            .Html("/from-b", "b")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Does.Contain("/from-a").And.Contain("/from-b").And.Contain("/sitemap.xml"));
        Assert.That(probe.Count("sitemaps"), Is.EqualTo(5), "robots.txt, sitemap.xml (404), the index and two sitemaps");
        Assert.That(probe.Count("clientErrors"), Is.Zero, "a missing sitemap.xml is no broken link");
    }

    [Test]
    public async Task SitemapNamingAnotherOrigin_RequestsNothingThere()
    {
        await using var canary = await RecordingServer.StartAsync("127.0.0.3");
        await using var site = await Site()
            .Html("/", "home")
            .Route("/robots.txt", async c => await c.Response.WriteAsync($"Sitemap: {canary.Address}sitemap.xml\nSitemap: /sitemap-local.xml\n"))
            .Route("/sitemap.xml", Xml(_ => UrlSet($"{canary.Address}page", $"//{canary.Address.Authority}/other", "http://localhost@" + canary.Address.Authority + "/x")))
            .Route("/sitemap-local.xml", Xml(_ => "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                + $"<sitemap><loc>{canary.Address}index.xml</loc></sitemap></sitemapindex>"))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(canary.Requests, Is.Empty);
        Assert.That(probe.Count("outOfScope"), Is.EqualTo(5));
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task MalformedAndHostileSitemaps_AreReadWithoutHarm()
    {
        await using var site = await Site()
            .Html("/", "home")
            .Route("/sitemap.xml", Xml(c =>
                "<?xml version=\"1.0\"?><!DOCTYPE urlset [<!ENTITY e SYSTEM \"file:///etc/passwd\"><!ENTITY b \"&e;&e;&e;\">]>"
                + $"<urlset><url><loc>{Origin(c)}/before-the-break</loc></url><url><loc>&b;</loc></url><url><loc>unclosed"))
            .Html("/before-the-break", "ok")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Does.Contain("/before-the-break"));
    }

    [Test]
    public async Task RespectRobotsTxt_KeepsDisallowedPathsOut()
    {
        await using var site = await Site(o => o.RespectRobotsTxt = true)
            .Route("/robots.txt", async c => await c.Response.WriteAsync("User-agent: googlebot\nDisallow: /\n\nUser-agent: *\nDisallow: /private\n"))
            .Html("/", "<a href=\"/private/page\">p</a><a href=\"/public\">q</a><img src=\"/private/img.png\">")
            .Html("/public", "ok")
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Does.Contain("/public").And.Not.Contain("/private/page").And.Not.Contain("/private/img.png"));
    }

    [Test]
    public async Task RedirectedRobotsTxt_IsReadAsRobotsTxt_BeforeAnyPage()
    {
        await using var site = await Site(o => o.RespectRobotsTxt = true)
            .Redirect("/robots.txt", "/robots-live.txt", 301)
            .Route("/robots-live.txt", async c => await c.Response.WriteAsync($"User-agent: *\nDisallow: /private\nSitemap: {Origin(c)}/listed.xml\n"))
            .Route("/listed.xml", Xml(c => UrlSet($"{Origin(c)}/from-the-sitemap", $"{Origin(c)}/private/listed")))
            .Html("/", "<a href=\"/private/page\">p</a>")
            .Html("/from-the-sitemap", "ok")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths.Take(2), Is.EqualTo(new[] { "/robots.txt", "/robots-live.txt" }), "robots.txt and where it moved, before anything else");
        Assert.That(site.Paths, Does.Contain("/from-the-sitemap").And.Not.Contain("/private/page").And.Not.Contain("/private/listed"));
    }

    [Test]
    public async Task SitemapIndexNamingSixtySitemaps_IsReadUpToTheLimit()
    {
        var site = Site()
            .Html("/", "home")
            .Route("/sitemap.xml", Xml(c => "<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
                + string.Concat(Enumerable.Range(1, 60).Select(i => $"<sitemap><loc>{Origin(c)}/maps/{i}.xml</loc></sitemap>")) + "</sitemapindex>"));
        for (var i = 1; i <= 60; i++)
        {
            var page = $"/page-{i}";
            site.Route($"/maps/{i}.xml", Xml(c => UrlSet(Origin(c) + page))).Html(page, "listed");
        }
        await using var _ = await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(probe.Count("sitemaps"), Is.EqualTo(50), "robots.txt, sitemap.xml and 48 of the sixty");
        Assert.That(site.Paths.Count(p => p.StartsWith("/maps/", StringComparison.Ordinal)), Is.EqualTo(48));
        Assert.That(site.Paths.Count(p => p.StartsWith("/page-", StringComparison.Ordinal)), Is.EqualTo(48), "each read sitemap's page");
        Assert.That(site.Logs.Named("WarmupLimitReached").Select(e => e.Properties["Limit"]), Is.EqualTo(new object[] { HealthChecks.Warmup.Model.WarmupLimits.MaxSitemaps }), "logged once");
    }

    [Test]
    public async Task RobotsTxtNotRespected_ByDefault()
    {
        await using var site = await Site()
            .Route("/robots.txt", async c => await c.Response.WriteAsync("User-agent: *\nDisallow: /\n"))
            .Html("/", "<a href=\"/page\">p</a>")
            .Html("/page", "ok")
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Does.Contain("/page"));
    }

    [Test]
    public async Task TwoHostNames_AreBothWarmedWithTheirOwnHost()
    {
        var (hostA, hostB) = transport == WarmupTransport.InProcess ? ("alpha.example", "beta.example") : ("127.0.0.1", "localhost");
        var site = Site(o => o.Hosts = [hostA, hostB])
            .Route("/", async c =>
            {
                c.Response.ContentType = "text/html";
                await c.Response.WriteAsync($"<img src=\"/img/{c.Request.Host.Host}.png\">");
            });
        await using var _ = await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();
        var port = site.Address.Port;

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.WarmupRequests.Where(r => r.PathAndQuery == "/").Select(r => r.Host), Is.EquivalentTo(new[] { $"{hostA}:{port}", $"{hostB}:{port}" }));
        Assert.That(site.WarmupRequests.Single(r => r.PathAndQuery == $"/img/{hostB}.png").Host, Is.EqualTo($"{hostB}:{port}"));
    }

    [TestCase(false)]
    [TestCase(true)]
    public async Task TwoHostNames_ShareTheirResources_UnlessACacheKeysThemByHost(bool outputCache)
    {
        var (hostA, hostB) = transport == WarmupTransport.InProcess ? ("alpha.example", "beta.example") : ("127.0.0.1", "localhost");
        var site = Site(o => o.Hosts = [hostA, hostB])
            .Html("/", "<link rel=\"stylesheet\" href=\"/site.css\"><a href=\"/about\">about</a>")
            .Html("/about", "about")
            .Css("/site.css", "body { color: red }");
        if (outputCache)
        {
            site.WithServices(services => services.AddOutputCache());
        }
        await using var _ = await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.CountOf("/"), Is.EqualTo(2), "each host's entry page");
        Assert.That(site.CountOf("/about"), Is.EqualTo(2), "each host's pages");
        // In-process the hosts are one app: a stylesheet is the same under both, unless the output cache keeps
        // an entry per host. Over HTTP the hosts may be different servers: each is warmed.
        var shared = transport == WarmupTransport.InProcess && !outputCache;
        Assert.That(site.CountOf("/site.css"), Is.EqualTo(shared ? 1 : 2));
    }

    [Test]
    public async Task TwoRegistrations_ReportSeparately()
    {
        var site = Site(o => o.EntryPaths = ["/a"])
            .WithServices(services => services.AddHealthChecks().AddSiteWarmup(o =>
            {
                o.Transport = transport;
                o.EntryPaths = ["/b"];
                o.MaxRequestRetries = 0;
                o.DiscoverSitemaps = false;
            }, name: "second-site"))
            .Html("/a", "a")
            .Status("/b", 500);
        await using var _ = await site.StartAsync();
        await site.WaitForVerdictAsync();
        await Coordination.HealthSemanticsTests.WaitUntilAsync(() =>
            site.Services.GetRequiredService<HealthChecks.Warmup.Coordination.WarmupCoordinators>().Get("second-site").Snapshot.State
                is WarmupState.Failed);

        var probe = await site.ProbeAsync();
        var entries = JsonDocument.Parse(probe.Json).RootElement.GetProperty("entries");

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(entries.GetProperty("site-warmup").GetProperty("status").GetString(), Is.EqualTo("Healthy"));
        Assert.That(entries.GetProperty("second-site").GetProperty("status").GetString(), Is.EqualTo("Unhealthy"));
        Assert.That(entries.GetProperty("second-site").GetProperty("description").GetString(), Does.Contain("/b → 500"));
        Assert.That(site.CountOf("/a"), Is.EqualTo(1));
        Assert.That(site.CountOf("/b"), Is.EqualTo(1));
    }

    [Test]
    public async Task SiteWarmupSource_SuppliesSitesAndEntries_WithinScope()
    {
        await using var canary = await RecordingServer.StartAsync("127.0.0.3");
        var tenant = transport == WarmupTransport.InProcess ? "tenant.example" : "localhost";
        var site = Site(o => o.DiscoverSitemaps = false)
            .WithServices(services => services.AddSingleton<ISiteWarmupSource>(new FixedSource(
                new SiteWarmupSite { Host = tenant, EntryPaths = ["/welcome", $"{canary.Address}stolen"] },
                new SiteWarmupSite { EntryPaths = ["/own-origin-entry"] })))
            .Html("/", "home")
            .Html("/welcome", "<a href=\"/tenant-page\">t</a>")
            .Html("/tenant-page", "t")
            .Html("/own-origin-entry", "o");
        await using var _ = await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();
        var port = site.Address.Port;

        Assert.That(canary.Requests, Is.Empty);
        Assert.That(probe.Count("outOfScope"), Is.EqualTo(1));
        Assert.That(site.WarmupRequests.Where(r => r.PathAndQuery is "/welcome" or "/tenant-page").Select(r => r.Host), Is.All.EqualTo($"{tenant}:{port}"));
        Assert.That(site.Paths, Does.Contain("/own-origin-entry").And.Contain("/tenant-page"));
    }

    [Test]
    public async Task NofollowLinks_AreNotFollowedUnlessAsked()
    {
        const string html = "<a href=\"/followed\">f</a><a rel=\"nofollow noopener\" href=\"/not-followed\">n</a>";
        await using var plain = await Site().Html("/", html).StartAsync();
        await using var asked = await Site(o => o.FollowNofollowLinks = true).Html("/", html).StartAsync();

        await plain.WaitForVerdictAsync();
        await asked.WaitForVerdictAsync();

        Assert.That(plain.Paths, Does.Contain("/followed").And.Not.Contain("/not-followed"));
        Assert.That(asked.Paths, Does.Contain("/not-followed"));
    }

    private sealed class FixedSource(params SiteWarmupSite[] sites) : ISiteWarmupSource
    {
        public ValueTask<IReadOnlyList<SiteWarmupSite>> GetSitesAsync(string registrationName, CancellationToken cancellationToken) =>
            ValueTask.FromResult<IReadOnlyList<SiteWarmupSite>>(registrationName == "site-warmup" ? sites : []);
    }
}
