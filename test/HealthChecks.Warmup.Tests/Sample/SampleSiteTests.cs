using System.Collections.Concurrent;
using System.Net;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Sample.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Sample;

/// <summary>
/// The sample site as a newcomer runs it: 503 while it warms, every page and resource warmed, 200 after.
/// Under WebApplicationFactory, on a real Kestrel and on TestServer.
/// </summary>
[TestFixture]
public sealed class SampleSiteTests
{
    private static readonly string[] s_expected =
    [
        "/", "/Products", "/Docs", "/Blog", "/Gallery", "/About", "/Contact",
        "/css/site.css?v=1", "/css/theme.css", "/js/site.js", "/favicon.svg",
        "/fonts/dejavu-sans-mono-oblique.ttf",
        "/img/logo.svg", "/img/logo@2x.svg", "/img/hero.svg", "/img/hero-wide.svg", "/img/banner.svg",
        "/img/product.svg", "/img/product-large.svg", "/img/photo-1.svg", "/img/photo-2.svg",
        "/img/paper.svg", "/img/masthead.svg", "/img/masthead@2x.svg", "/img/footer.svg",
    ];

    private TimeSpan _coldDelay;

    [SetUp]
    public void SlowCatalogButNotTooSlow()
    {
        _coldDelay = SlowCatalog.ColdDelay;
        SlowCatalog.ColdDelay = TimeSpan.FromMilliseconds(300);
    }

    [TearDown]
    public void RestoreCatalog() => SlowCatalog.ColdDelay = _coldDelay;

    [TestCase(true, TestName = "Sample_OnKestrel_WarmsEverythingThenAnswers200")]
    [TestCase(false, TestName = "Sample_OnTestServer_WarmsEverythingThenAnswers200")]
    public async Task Sample_WarmsEverythingThenAnswers200(bool kestrel)
    {
        var seen = new ConcurrentQueue<string>();
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
            host.ConfigureServices(services => services.AddTransient<IStartupFilter>(_ => new RecordWarmupRequests(seen))));
        if (kestrel)
        {
            factory.UseKestrel(0);
        }
        factory.StartServer();
        using var client = factory.CreateClient();

        var first = await client.GetAsync("/health/ready");
        var live = await client.GetAsync("/health/live");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        HttpResponseMessage ready;
        while ((ready = await client.GetAsync("/health/ready")).StatusCode != HttpStatusCode.OK && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }
        // What warming bought the slowest pages is measured after the verdict; then the warm-up is done.
        await factory.Services.GetRequiredService<HealthChecks.Warmup.Coordination.WarmupCoordinators>().Get("site-warmup").Finished.WaitAsync(TimeSpan.FromSeconds(30));
        var body = await (await client.GetAsync("/health/ready")).Content.ReadAsStringAsync();
        var pipeline = factory.Services.GetRequiredService<InProcessApplication>().Pipeline!.GetType();

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable), "seven cold pages take at least 2.1 s to render");
        Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(seen, Is.SupersetOf(s_expected));
        Assert.That(seen, Does.Not.Contain("/Docs?print=yes").And.Not.Contain("/Contact/Send"));
        Assert.That(body, Does.Contain("\"healthEndpoints\":1"), "the layout links /health/ready: reached once, not judged (/health/live runs no check)");
        // The slowest pages' second requests measure what warming bought; the rest is the crawl and the repeat pass.
        var slowest = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("entries").GetProperty("site-warmup").GetProperty("data")
            .GetProperty("slowest").EnumerateArray().Select(t => new Uri(t.GetProperty("url").GetString()!).PathAndQuery).ToList();
        Assert.That(slowest, Has.Count.EqualTo(5));
        var crawled = seen.ToList();
        slowest.ForEach(page => crawled.RemoveAt(crawled.LastIndexOf(page)));
        var again = crawled.GroupBy(p => p).Where(g => g.Count() > 1).ToList();
        Assert.That(again.Where(g => g.Count() > 2).Select(g => g.Key), Is.Empty, "each URL once, and what the repeat pass asks for once more");
        Assert.That(again.Select(g => g.Key.Split('?')[0]).Select(p => p[..(p.LastIndexOf('/') + 1)]), Is.Unique.And.Not.Empty,
            "the repeat pass: one URL a folder");
        Assert.That(body, kestrel
            ? Does.Match(@"""serverWarmup"":""\d+ requests to http://")
            : Does.Contain("\"serverWarmup\":\"skipped: the server is not Kestrel (TestServer)"), "the server's own path warmed where there is one");
        Assert.That(pipeline, Is.EqualTo(typeof(RequestDelegatePipeline)),
            "WebApplicationFactory registers its server after the app's services, so the startup filter's pipeline serves");
    }

    private sealed class RecordWarmupRequests(ConcurrentQueue<string> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Headers.UserAgent == InProcessFetcher.UserAgent)
                {
                    seen.Enqueue(context.Request.Path + context.Request.QueryString);
                }
                await nextMiddleware(context);
            });
            next(app);
        };
    }
}
