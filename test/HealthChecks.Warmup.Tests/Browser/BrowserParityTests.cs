using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Sample.Services;
using HealthChecks.Warmup.Tests.Coordination;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace HealthChecks.Warmup.Tests.Browser;

/// <summary>
/// A real browser is the judge of what a page loads: Chromium loads every page the warm-up reached, and
/// every same-origin GET it makes must be one the warm-up made before it. On the sample site, and on every
/// extraction case of <see cref="ExtractionEndToEndTests"/> (so each case's expectation is what a browser
/// really does, not what we think it does).
/// </summary>
[TestFixture]
[Category("Browser")]
public sealed class BrowserParityTests
{
    private Support.Browser _browser = null!;

    [OneTimeSetUp]
    public async Task LaunchChromium() => _browser = await Support.Browser.LaunchAsync();

    [OneTimeTearDown]
    public async Task CloseChromium()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }
    }

    /// <summary>The markup of every extraction case, named as there.</summary>
    public static IEnumerable<TestCaseData> ExtractionCases() =>
        typeof(ExtractionEndToEndTests).GetMethod(nameof(ExtractionEndToEndTests.FrontPageReference_IsRequested))!
            .GetCustomAttributes<TestCaseAttribute>()
            .Select(c => new TestCaseData(c.Arguments[0]).SetName("Browser loads no more than the warm-up: " + c.TestName));

    [TestCaseSource(nameof(ExtractionCases))]
    [CancelAfter(60_000)]
    public async Task ExtractionCase_BrowserLoadsNothingTheWarmupDidNot(string markup, CancellationToken cancellationToken)
    {
        await using var site = await new FixtureSite()
            .Html("/", $"<!DOCTYPE html><html><head><title>t</title></head><body>{markup}</body></html>")
            .StartAsync();
        await site.WaitForVerdictAsync();
        var warmed = site.Paths.ToHashSet(StringComparer.Ordinal);

        var loaded = await _browser.LoadAsync(site.Address, [site.Address], cancellationToken);

        AssertWarmed(site.Address, loaded, warmed);
    }

    [Test]
    [CancelAfter(120_000)]
    public async Task Sample_BrowserLoadsNothingTheWarmupDidNot(CancellationToken cancellationToken)
    {
        var seen = new ConcurrentQueue<(string PathAndQuery, string? ContentType)>();
        var coldDelay = SlowCatalog.ColdDelay;
        SlowCatalog.ColdDelay = TimeSpan.FromMilliseconds(50);
        try
        {
            await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(host =>
                host.ConfigureServices(services => services.AddTransient<IStartupFilter>(_ => new RecordWarmupRequests(seen))));
            factory.UseKestrel(0);
            factory.StartServer();
            using var client = factory.CreateClient();
            while ((await client.GetAsync("/health/ready", cancellationToken)).StatusCode != HttpStatusCode.OK)
            {
                await Task.Delay(50, cancellationToken);
            }
            var origin = client.BaseAddress!;
            var pages = seen.Where(s => s.ContentType?.StartsWith("text/html", StringComparison.Ordinal) == true)
                .Select(s => new Uri(origin, s.PathAndQuery)).Distinct().ToList();
            Assert.That(pages, Has.Count.GreaterThanOrEqualTo(7), "the sample's pages");

            var loaded = await _browser.LoadAsync(origin, pages, cancellationToken);

            AssertWarmed(origin, loaded, seen.Select(s => s.PathAndQuery).ToHashSet(StringComparer.Ordinal));
        }
        finally
        {
            SlowCatalog.ColdDelay = coldDelay;
        }
    }

    private static RequestDelegate Serve(string contentType, string body, string? linkHeader = null) => context =>
    {
        context.Response.ContentType = contentType;
        if (linkHeader is not null)
        {
            context.Response.Headers.Link = linkHeader;
        }
        return context.Response.WriteAsync(body);
    };

    private const string Js = "text/javascript";

    /// <summary>Pages and assets of real sites whose references live outside tag attributes, served as they are.</summary>
    public static IEnumerable<TestCaseData> Gaps()
    {
        yield return new TestCaseData("sphinx", new Func<FixtureSite, FixtureSite>(site => site
            .Html("/", "<link rel=\"index\" title=\"Index\" href=\"genindex.html\"><link rel=\"search\" title=\"Search\" href=\"search.html\"><p>docs</p>")
            .Html("/genindex.html", "<p>index</p>")
            .Html("/search.html", "<script src=\"_static/searchtools.js\"></script><script>Search.loadIndex(\"searchindex.js\")</script>")
            .Route("/_static/searchtools.js", Serve(Js, "var Search = { loadIndex: u => { const s = document.createElement('script'); s.src = u; document.head.appendChild(s); } };"))
            .Route("/searchindex.js", Serve(Js, "Search.index = {};"))), new[] { "/", "/search.html" }, "/searchindex.js")
            .SetName("Gap: Sphinx rel=index/search and Search.loadIndex");
        yield return new TestCaseData("wordpress", new Func<FixtureSite, FixtureSite>(site => site
            .Route("/", context =>
            {
                var origin = $"{context.Request.Scheme}:\\/\\/{context.Request.Host}";
                context.Response.ContentType = "text/html";
                return context.Response.WriteAsync(
                    $"<script>window._wpemojiSettings = {{\"baseUrl\":\"https:\\/\\/s.w.org\\/images\\/core\\/emoji\\/15.0.3\\/72x72\\/\",\"source\":{{\"concatemoji\":\"{origin}\\/wp-includes\\/js\\/wp-emoji-release.min.js?ver=6.6.2\"}}}};</script>" +
                    "<script>(function(s){var e=document.createElement('script');e.src=s.source.concatemoji;document.head.appendChild(e);})(window._wpemojiSettings);</script>");
            })
            .Route("/wp-includes/js/wp-emoji-release.min.js", Serve(Js, "window.emoji = 1;"))), new[] { "/" }, "/wp-includes/js/wp-emoji-release.min.js?ver=6.6.2")
            .SetName("Gap: WordPress JSON-escaped emoji script URL");
        // The tag helpers' own output, the CDN unreachable (a closed loopback port): the browser loads the fallbacks.
        yield return new TestCaseData("asp-fallback", new Func<FixtureSite, FixtureSite>(site => site
            .Html("/", "<link rel=\"stylesheet\" href=\"http://127.0.0.1:9/bootstrap.min.css\" />" +
                "<meta name=\"x-stylesheet-fallback-test\" content=\"\" class=\"sr-only\" /><script>!function(a,b,c,d){var e,f=document,g=f.getElementsByTagName(\"SCRIPT\"),h=g[g.length-1].previousElementSibling,i=f.defaultView&&f.defaultView.getComputedStyle?f.defaultView.getComputedStyle(h):h.currentStyle;if(i&&i[a]!==b)for(e=0;e<c.length;e++)f.write('<link href=\"'+c[e]+'\" '+d+\"/>\")}(\"position\",\"absolute\",[\"\\/lib\\/bootstrap\\/dist\\/css\\/bootstrap.min.css\"], \"rel=\\u0022stylesheet\\u0022 \");</script>" +
                "<script src=\"http://127.0.0.1:9/jquery.min.js\"></script><script>(window.jQuery||document.write(\"\\u003Cscript src=\\u0022/lib/jquery/dist/jquery.min.js\\u0022\\u003E\\u003C/script\\u003E\"));</script>")
            .Css("/lib/bootstrap/dist/css/bootstrap.min.css", ".sr-only { position: absolute }")
            .Route("/lib/jquery/dist/jquery.min.js", Serve(Js, "window.jQuery = {};"))), new[] { "/" }, "/lib/jquery/dist/jquery.min.js")
            .SetName("Gap: asp-fallback-href and asp-fallback-src");
        yield return new TestCaseData("import-map", new Func<FixtureSite, FixtureSite>(site => site
            .Html("/", "<script type=\"importmap\">{\"imports\": {\"app\": \"/js/app.3f2a9c.js\", \"lit\": \"/js/lit.9b1e.js\"}}</script><script type=\"module\">import \"app\";</script>")
            .Route("/js/app.3f2a9c.js", Serve(Js, "import { html } from \"lit\"; export const a = html;"))
            .Route("/js/lit.9b1e.js", Serve(Js, "export const html = 1;"))), new[] { "/" }, "/js/lit.9b1e.js")
            .SetName("Gap: import map");
        yield return new TestCaseData("module-graph", new Func<FixtureSite, FixtureSite>(site => site
            .Html("/", "<link rel=\"modulepreload\" href=\"/js/main.js\"><script type=\"module\" src=\"/js/main.js\"></script>")
            .Route("/js/main.js", Serve(Js, "import { a } from './a.js';\nexport * from \"./reexport.js\";\nconsole.log(a / 2 / 1, /'not-a-string/);"))
            .Route("/js/reexport.js", Serve(Js, "export const r = 1;"))
            .Route("/js/a.js", Serve(Js, "import { b } from '../lib/b.js'; export const a = b;"))
            .Route("/lib/b.js", Serve(Js, "export const b = 1; import('./c.js').then(m => m.c); const img = new URL('./d.svg', import.meta.url);"))
            .Route("/lib/c.js", Serve(Js, "export const c = 3;"))), new[] { "/" }, "/lib/c.js")
            .SetName("Gap: a module graph three imports deep");
        yield return new TestCaseData("link-header", new Func<FixtureSite, FixtureSite>(site => site
            .Route("/", Serve("text/html", "<p>hi</p>", "</css/early.css>; rel=preload; as=style, </js/early.js>; rel=modulepreload"))
            .Css("/css/early.css", "body { color: red }")
            .Route("/js/early.js", Serve(Js, "export const e = 1;"))), new[] { "/" }, "/css/early.css")
            .SetName("Gap: Link response header");
    }

    [TestCaseSource(nameof(Gaps))]
    [CancelAfter(60_000)]
    public async Task Gap_BrowserLoadsNothingTheWarmupDidNot(string name, Delegate build, string[] pages, string mustLoad, CancellationToken cancellationToken)
    {
        // A Delegate: the site builder's type is internal to the tests, and test methods are public.
        await using var site = await ((Func<FixtureSite, FixtureSite>)build)(new FixtureSite { Configure = o => o.FollowPageLinksWithQuery = true }).StartAsync();
        var probe = await site.WaitForVerdictAsync();
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), $"{name}: {probe.Json}");
        var warmed = site.Paths.ToHashSet(StringComparer.Ordinal);

        var loaded = await _browser.LoadAsync(site.Address, pages.Select(p => new Uri(site.Address, p)), cancellationToken);

        Assert.That(loaded.Select(l => new Uri(l.Url).PathAndQuery), Does.Contain(mustLoad), $"{name}: Chromium loads {mustLoad}: the case tests something");
        AssertWarmed(site.Address, loaded, warmed);
    }

    /// <summary>Every same-origin GET Chromium made was made by the warm-up.</summary>
    internal static void AssertWarmed(Uri origin, List<BrowserRequest> loaded, HashSet<string> warmedPathsAndQueries)
    {
        Assert.That(loaded, Is.Not.Empty, "Chromium loaded the pages");
        TestContext.Out.WriteLine($"Chromium made {loaded.Count} same-origin GETs on {origin}; the warm-up {warmedPathsAndQueries.Count}");
        var missed = loaded.Where(r => !warmedPathsAndQueries.Contains(new Uri(r.Url).PathAndQuery)).ToList();
        Assert.That(missed, Is.Empty,
            $"Chromium loaded what the warm-up did not: {string.Join(", ", missed.Select(m => $"{m.Url} ({m.ResourceType})"))}\n" +
            $"the warm-up requested: {string.Join(' ', warmedPathsAndQueries.Order(StringComparer.Ordinal))}\n" +
            $"Chromium loaded: {string.Join(' ', loaded.Select(l => $"{new Uri(l.Url).PathAndQuery} ({l.ResourceType})"))}");
    }

    private sealed class RecordWarmupRequests(ConcurrentQueue<(string, string?)> seen) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                await nextMiddleware(context);
                if (context.Request.Headers.UserAgent == InProcessFetcher.UserAgent)
                {
                    seen.Enqueue((context.Request.Path + context.Request.QueryString, context.Response.ContentType));
                }
            });
            next(app);
        };
    }
}
