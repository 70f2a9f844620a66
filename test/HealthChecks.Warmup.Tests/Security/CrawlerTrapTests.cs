using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Security;

/// <summary>
/// Crawler traps and hostile responses: every warm-up ends within its limits, with a report that
/// says which limit was reached, and the app keeps serving.
/// </summary>
[TestFixture(WarmupTransport.InProcess)]
[TestFixture(WarmupTransport.Http)]
public sealed class CrawlerTrapTests(WarmupTransport transport)
{
    private FixtureSite Site(Action<SiteWarmupOptions>? configure = null) => new()
    {
        Configure = o =>
        {
            o.Transport = transport;
            o.MaxRequestRetries = 0;
            configure?.Invoke(o);
        },
    };

    private static RequestDelegate Page(Func<HttpContext, string> html) => async context =>
    {
        context.Response.ContentType = "text/html";
        await context.Response.WriteAsync(html(context));
    };

    [Test]
    public async Task EndlessCalendar_EndsAtMaxUrls()
    {
        await using var site = await Site(o => { o.MaxDepth = 100; o.MaxUrls = 50; })
            .Html("/", "<a href=\"/cal/2024/1\">calendar</a>")
            .WithMiddleware(app => app.Use(async (context, next) =>
            {
                if (context.Request.Path.StartsWithSegments("/cal", out var rest) && rest.HasValue)
                {
                    context.Response.ContentType = "text/html";
                    var month = int.Parse(rest.Value!.Split('/')[^1], System.Globalization.CultureInfo.InvariantCulture);
                    await context.Response.WriteAsync($"<a href=\"{month + 1}\">next month</a>");
                    return;
                }
                await next(context);
            }))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Has.Count.EqualTo(50));
        Assert.That(probe.Data.GetProperty("limitsReached").GetString(), Is.EqualTo("MaxUrls"));
    }

    [Test]
    public async Task EverDeepeningPaths_EndAtMaxDepth()
    {
        await using var site = await Site(o => o.MaxDepth = 20)
            .WithMiddleware(app => app.Use(async (context, next) =>
            {
                if (context.Request.Path.StartsWithSegments("/a"))
                {
                    context.Response.ContentType = "text/html";
                    await context.Response.WriteAsync("<a href=\"a/\">deeper</a><a href=\"./?sid=" + Guid.NewGuid() + "\">session</a>");
                    return;
                }
                await next(context);
            }))
            .Html("/", "<a href=\"/a/\">a</a>")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Has.Count.EqualTo(21), "the front page and twenty levels of /a/");
        Assert.That(site.Paths.Last(), Is.EqualTo(string.Concat(Enumerable.Repeat("/a", 20)) + "/"));
    }

    [Test]
    public async Task SessionIdsAndQueryPermutations_WhenFollowed_EndAtMaxUrls()
    {
        await using var site = await Site(o => { o.MaxDepth = 50; o.MaxUrls = 100; o.FollowPageLinksWithQuery = true; })
            .Route("/list", Page(context =>
            {
                var id = Guid.NewGuid().ToString("N");
                return $"<a href=\"/list;jsessionid={id}\">s</a><a href=\"/list?a=1&b={id}\">p</a><a href=\"/list?b={id}&a=1\">q</a>";
            }))
            .Html("/", "<a href=\"/list?a=1\">list</a>")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Has.Count.EqualTo(100));
        Assert.That(probe.Data.GetProperty("limitsReached").GetString(), Is.EqualTo("MaxUrls"));
    }

    [Test]
    public async Task PageLinkingTo100000Urls_EndsAtMaxUrls()
    {
        var html = string.Concat(Enumerable.Range(0, 100_000).Select(i => $"<a href=\"/p/{i}\">{i}</a>"));
        await using var site = await Site(o => o.MaxUrls = 500).Html("/", html).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Has.Count.EqualTo(500));
        Assert.That(probe.Count("overLimit"), Is.EqualTo(100_000 - 499));
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task OneGigabyteHtmlBody_IsReadButOnlyItsStartParsed()
    {
        await using var site = await Site(o => o.MaxParsedBytes = 64 * 1024)
            .Route("/", async context =>
            {
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<img src=\"/img/early.png\">");
                var filler = new byte[64 * 1024];
                Array.Fill(filler, (byte)' ');
                for (var written = 0L; written < 1L << 30; written += filler.Length)
                {
                    await context.Response.Body.WriteAsync(filler, context.RequestAborted);
                }
                await context.Response.WriteAsync("<img src=\"/img/late.png\">");
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync(TimeSpan.FromSeconds(120));

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Does.Contain("/img/early.png").And.Not.Contain("/img/late.png"));
        Assert.That(probe.Data.GetProperty("limitsReached").GetString(), Is.EqualTo("MaxParsedBytes"));
    }

    [TestCase("slow drip")]
    [TestCase("endless")]
    public async Task NeverEndingDocument_TimesOut(string kind)
    {
        // A page is read to its end to be parsed; anything else is warm once started (NonDocumentResponseTests).
        await using var site = await Site(o => { o.RequestTimeout = TimeSpan.FromSeconds(1); o.IgnoreResourceServerErrors = true; })
            .Html("/", "<iframe src=\"/never-ends.html\"></iframe>")
            .Route("/never-ends.html", async context =>
            {
                context.Response.ContentType = "text/html";
                var chunk = new byte[kind == "endless" ? 16 * 1024 : 1];
                while (!context.RequestAborted.IsCancellationRequested)
                {
                    await context.Response.Body.WriteAsync(chunk, context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                    await Task.Delay(kind == "endless" ? 1 : 1000, context.RequestAborted);
                }
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), "resource errors ignored: the warm-up ended and judged");
        Assert.That(probe.Count("errors"), Is.EqualTo(1));
        Assert.That(site.Coordinator.Snapshot.LastReport!.Counts.Errors, Is.EqualTo(1));
    }

    private static IEnumerable<TestCaseData> HostileMarkup()
    {
        yield return new TestCaseData(string.Concat(Enumerable.Repeat("<div>", 100_000)) + "<img src=\"/img/deep.png\">").SetName("100,000 nested elements");
        yield return new TestCaseData("<img src=\"/img/before.png\"><!-- never closed <img src=\"/img/in-comment.png\">").SetName("unclosed comment");
        yield return new TestCaseData("<img src=\"/img/before.png\"><script>document.write('<img src=\"/img/in-script.png\">')").SetName("unclosed script");
        yield return new TestCaseData("<img src=\"/img/before.png\"><style>a { background: url(/img/in-style.png) ").SetName("unclosed style");
        yield return new TestCaseData("<img src=\"/img/before.png\"><textarea><img src=\"/img/in-textarea.png\">").SetName("unclosed textarea");
        yield return new TestCaseData("<img src=\"/img/before.png\"><img src=\"/img/" + new string('x', 100_000) + "\"").SetName("unclosed attribute");
    }

    [TestCaseSource(nameof(HostileMarkup))]
    public async Task HostileMarkup_IsReadWithoutHarm(string html)
    {
        await using var site = await Site().Html("/", html).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Does.Not.Contain("/img/in-comment.png").And.Not.Contain("/img/in-script.png").And.Not.Contain("/img/in-textarea.png"));
        Assert.That(site.Paths.Any(p => p is "/img/before.png" or "/img/deep.png"), Is.True, string.Join(", ", site.Paths));
    }

    [TestCase("binary")]
    [TestCase("invalid utf-8")]
    public async Task GarbageServedAsHtml_IsReadWithoutHarm(string kind)
    {
        var random = new Random(42);
        var garbage = new byte[1 << 20];
        random.NextBytes(garbage);
        if (kind == "invalid utf-8")
        {
            garbage = [.. "<img src=\"/img/ok.png\">"u8.ToArray(), 0xC3, 0x28, 0xA0, 0xA1, 0xE2, 0x28, 0xA1, 0xF0, 0x28, 0x8C, 0xBC, .. "<img src=\"/img/after.png\">"u8.ToArray()];
        }
        await using var site = await Site()
            .Route("/", async context =>
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.Body.WriteAsync(garbage);
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        // The extractor's errors are caught and logged: none means the bytes were read as markup, not thrown on.
        Assert.That(site.Logs.Named("UrlExtractionFailed"), Is.Empty, "bytes of any kind are read, not thrown on");
        if (kind == "invalid utf-8")
        {
            Assert.That(site.Paths, Does.Contain("/img/ok.png").And.Contain("/img/after.png"));
        }
    }

    [Test]
    public async Task PathologicalStylesheet_IsReadWithoutHarm()
    {
        var css = string.Concat(Enumerable.Repeat("url(url(image-set((\"@import '", 100_000)) + "} a { background: url(/img/after.png) }";
        await using var site = await Site()
            .Html("/", "<link rel=\"stylesheet\" href=\"/evil.css\">")
            .Css("/evil.css", css)
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Has.Count.LessThan(10));
    }
}
