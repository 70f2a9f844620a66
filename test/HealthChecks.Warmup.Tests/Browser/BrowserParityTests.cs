using System.Collections.Concurrent;
using System.Net;
using System.Reflection;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Sample.Services;
using HealthChecks.Warmup.Tests.Coordination;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
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
[NonParallelizable]
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
