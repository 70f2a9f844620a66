using System.Net;
using HealthChecks.Warmup.Crawling;
using HealthChecks.Warmup.Model;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Crawling;

/// <summary>
/// ASP.NET Core's routing compiles the jump table of a route node with many literal children on a request
/// after the node's first: after a crawl that succeeded, the repeat pass requests once more the fewest
/// URLs that pass through every folder the crawl reached, so that no visitor pays for it.
/// </summary>
[TestFixture]
public sealed class RepeatPassTests
{
    private static UrlOutcome Answered(string path, UrlKind kind = UrlKind.Resource, int status = 200, bool speculative = false) =>
        new("http://site.test" + path, kind, 1, "http://site.test/", IsEntry: false, status, FetchFailure.None, null, TimeSpan.Zero, IsSpeculative: speculative);

    [Test]
    public void Targets_PassThroughEveryFolder_WithTheFewestUrls_InTheCrawlsOrder()
    {
        UrlOutcome[] crawl =
        [
            Answered("/", UrlKind.Page),
            Answered("/about", UrlKind.Page),
            Answered("/docs/intro", UrlKind.Page),
            Answered("/css/site.css"),
            Answered("/css/more.css"),
            Answered("/lib/b.js"),
            Answered("/lib/a/dist/x.js"),
            Answered("/lib/a/dist/y.js"),
            Answered("/docs/logo.png"),
            Answered("/Home/Index", UrlKind.Page),
            Answered("/Home/Privacy", UrlKind.Page),
            Answered("/img/missing.png", status: 404),
            Answered("/guess/x.js", speculative: true),
            Answered("/sitemaps/sitemap.xml", UrlKind.Sitemap),
        ];

        var targets = RepeatPass.Targets(crawl).Select(t => new Uri(t.Url).AbsolutePath);

        // /lib/ and / are passed through by /lib/a/dist/x.js; /docs/ takes its resource, not its page;
        // a 404, a guess and a sitemap are not requested again.
        Assert.That(targets, Is.EqualTo(new[] { "/css/site.css", "/lib/a/dist/x.js", "/docs/logo.png", "/Home/Index" }));
    }

    [TestCase("http://site.test/lib/js/app.js", "/lib/js/")]
    [TestCase("http://site.test/lib/js/app.js?v=a/b", "/lib/js/")]
    [TestCase("https://site.test:8443/docs/#a/b", "/docs/")]
    [TestCase("http://site.test/", "/")]
    [TestCase("http://site.test", "/")]
    [TestCase("http://site.test?x=/y", "/")]
    [TestCase("not a url", null)]
    public void Folder_IsThePathsFolder_WithoutHostQueryOrFragment(string url, string? expected) =>
        Assert.That(RepeatPass.Folder(url), Is.EqualTo(expected));

    [Test]
    public void Targets_OfASiteWithOnlyTopLevelUrls_IsOneUrl()
    {
        var targets = RepeatPass.Targets([Answered("/", UrlKind.Page), Answered("/about", UrlKind.Page), Answered("/favicon.ico")]);

        Assert.That(targets.Select(t => new Uri(t.Url).AbsolutePath), Is.EqualTo(new[] { "/favicon.ico" }));
    }

    [Test]
    public void Targets_AreBounded_DeepestFoldersFirst()
    {
        UrlOutcome[] crawl = [.. Enumerable.Range(0, 50).Select(i => Answered($"/f{i}/a.js")), Answered("/deep/er/a.js")];

        var targets = RepeatPass.Targets(crawl);

        Assert.That(targets, Has.Count.EqualTo(RepeatPass.MaxUrls));
        Assert.That(targets.Select(t => t.Url), Has.Member("http://site.test/deep/er/a.js"));
    }

    /// <summary>Linked from the front page: a stylesheet and an image in folders of their own, a page in a third.</summary>
    private static FixtureSite Site(Action<SiteWarmupOptions>? configure = null) =>
        new FixtureSite { Configure = o => { o.RepeatRequests = true; configure?.Invoke(o); } }
            .Html("/", "<link rel=\"stylesheet\" href=\"/css/site.css\"><img src=\"/img/logo.png\"><a href=\"/docs/intro\">docs</a>")
            .Css("/css/site.css", "body { color: red }")
            .File("/img/logo.png", "image/png")
            .Html("/docs/intro", "<p>intro</p>");

    [Test]
    public async Task AfterTheCrawl_OneUrlOfEachFolder_IsRequestedOnceMore_NotCounted()
    {
        await using var site = await Site().StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths.Where(p => p != "/health/ready").GroupBy(p => p).ToDictionary(g => g.Key, g => g.Count()), Is.EquivalentTo(new Dictionary<string, int>
        {
            ["/"] = 1, ["/css/site.css"] = 2, ["/img/logo.png"] = 2, ["/docs/intro"] = 2,
        }));
        Assert.That(probe.Count("requested"), Is.EqualTo(4), "the counts are the site's URLs");
        Assert.That(site.Logs.Named("Repeated").Single().Message, Does.Contain("requested 3 URLs once more"));
    }

    [Test]
    public async Task AServerError_OnTheSecondRequest_FailsTheAttempt_NamingTheRepeatPass()
    {
        var seen = 0;
        await using var site = await Site()
            .WithMiddleware(app => app.Use((context, next) =>
            {
                if (context.Request.Path == "/css/site.css" && Interlocked.Increment(ref seen) == 2)
                {
                    context.Response.StatusCode = StatusCodes.Status500InternalServerError;
                    return Task.CompletedTask;
                }
                return next(context);
            }))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), probe.Json);
        Assert.That(probe.Description, Does.Contain("/css/site.css → 500 (from the repeat pass)"));
    }

    [Test]
    public async Task TurnedOff_EachUrlIsRequestedOnce()
    {
        await using var site = await Site(o => o.RepeatRequests = false).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths.Where(p => p != "/health/ready"), Is.Unique);
        Assert.That(site.Logs.Named("Repeated"), Is.Empty);
    }
}
