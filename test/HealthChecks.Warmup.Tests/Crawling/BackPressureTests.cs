using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Threading.RateLimiting;
using HealthChecks.Warmup.Crawling;
using HealthChecks.Warmup.Fetching;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Crawling;

/// <summary>
/// An app configured for production limits how fast anyone may ask: ASP.NET Core's own rate limiter,
/// partitioned by remote address, answering 429. A refusal is the app asking the warm-up to slow down,
/// not a broken link: the warm-up waits, slows down and asks again, and it is ready only once every URL
/// was answered; a URL refused to the end keeps the site cold, with a message that says why.
/// </summary>
[TestFixture]
public sealed class BackPressureTests
{
    private const int Pages = 12;

    /// <summary>A site of <see cref="Pages"/> linked pages behind a fixed-window limiter keyed by remote address.</summary>
    private static FixtureSite LimitedSite(ConcurrentQueue<(string Path, int Status)> answered, int permits, TimeSpan window,
        bool sendRetryAfter, Action<SiteWarmupOptions>? configure = null)
    {
        var links = string.Concat(Enumerable.Range(1, Pages).Select(i => $"<a href=\"/p{i}\">{i}</a>"));
        var site = new FixtureSite
        {
            Configure = o =>
            {
                o.RequestRetryDelay = TimeSpan.FromMilliseconds(100);
                configure?.Invoke(o);
            },
        }.Html("/", links);
        for (var i = 1; i <= Pages; i++)
        {
            site.Html($"/p{i}", $"<p>page {i}</p>");
        }
        return site
            .WithServices(services => services.AddRateLimiter(limiter =>
            {
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    context.Request.Path.StartsWithSegments("/health")
                        ? RateLimitPartition.GetNoLimiter("probes")
                        : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "none",
                            _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = window, QueueLimit = 0 }));
                if (sendRetryAfter)
                {
                    limiter.OnRejected = (rejected, _) =>
                    {
                        if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                        {
                            rejected.HttpContext.Response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                        }
                        return ValueTask.CompletedTask;
                    };
                }
            }))
            .WithMiddleware(app =>
            {
                app.Use(async (context, next) =>
                {
                    await next(context);
                    answered.Enqueue((context.Request.Path.Value!, context.Response.StatusCode));
                });
                app.UseRateLimiter();
            });
    }

    [TestCase(WarmupTransport.InProcess, false)]
    [TestCase(WarmupTransport.InProcess, true)]
    [TestCase(WarmupTransport.Http, true)]
    public async Task RateLimitedSite_IsReadyOnlyAfterEveryUrlAnswered200Once(WarmupTransport transport, bool sendRetryAfter)
    {
        var answered = new ConcurrentQueue<(string Path, int Status)>();
        await using var site = await LimitedSite(answered, permits: 4, TimeSpan.FromSeconds(1), sendRetryAfter, o =>
        {
            o.Transport = transport;
            o.MaxConcurrency = 8;
        }).StartAsync();

        var probe = await site.WaitForVerdictAsync(TimeSpan.FromSeconds(60));

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        string[] paths = ["/", .. Enumerable.Range(1, Pages).Select(i => $"/p{i}")];
        var warmed = answered.Where(a => a.Status == 200 && !a.Path.StartsWith("/health", StringComparison.Ordinal)).Select(a => a.Path).ToList();
        Assert.That(warmed, Is.EquivalentTo(paths), "every URL answered 200, once");
        var refused = answered.Count(a => a.Status == 429);
        Assert.That(refused, Is.Positive, "the limiter refused some requests: the test tests something");
        Assert.That(probe.Count("rateLimitRetries"), Is.EqualTo(refused), "every refusal was retried, and counted");
        Assert.That(probe.Count("clientErrors"), Is.Zero, "a refusal is no broken link");
        var warning = site.Logs.Named("RateLimited").First();
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("IsSiteWarmupRequest()"));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task LimiterThatNeverLetsTheWarmupThrough_KeepsTheSiteCold_AndSaysWhy(bool sendRetryAfter)
    {
        var answered = new ConcurrentQueue<(string Path, int Status)>();
        // One request an hour: the entry page passes, every page it links is refused.
        await using var site = await LimitedSite(answered, permits: 1, TimeSpan.FromHours(1), sendRetryAfter,
            o => o.MaxRateLimitWait = TimeSpan.FromMilliseconds(700)).StartAsync();

        var probe = await site.WaitForVerdictAsync(TimeSpan.FromSeconds(60));

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), probe.Json);
        Assert.That(probe.Description, Does.Contain("rate limited").And.Contain("IsSiteWarmupRequest()").And.Contain("MaxRateLimitWait"));
        Assert.That(probe.Data.GetProperty("hint").GetString(), Does.Contain("rate limiting refused the warm-up"));
        Assert.That(site.Coordinator.Snapshot.Failures.Select(f => f.Url), Has.Some.EndsWith("/p1"), "the refused pages are the failures");
    }

    [Test]
    public async Task LimiterThatExemptsWarmupRequests_WarmsAtFullSpeed()
    {
        var answered = new ConcurrentQueue<(string Path, int Status)>();
        await using var site = await new FixtureSite()
            .Html("/", string.Concat(Enumerable.Range(1, Pages).Select(i => $"<a href=\"/p{i}\">{i}</a>")))
            .Route("/p1", context => context.Response.WriteAsync("one"))
            .WithServices(services => services.AddRateLimiter(limiter =>
            {
                limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
                // The partition docs/faq.md shows: warm-up requests are never limited.
                limiter.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                    context.IsSiteWarmupRequest() || context.Request.Path.StartsWithSegments("/health")
                        ? RateLimitPartition.GetNoLimiter("warm-up")
                        : RateLimitPartition.GetFixedWindowLimiter(context.Connection.RemoteIpAddress?.ToString() ?? "none",
                            _ => new FixedWindowRateLimiterOptions { PermitLimit = 1, Window = TimeSpan.FromHours(1) }));
            }))
            .WithMiddleware(app =>
            {
                app.Use(async (context, next) =>
                {
                    await next(context);
                    answered.Enqueue((context.Request.Path.Value!, context.Response.StatusCode));
                });
                app.UseRateLimiter();
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(answered.Where(a => a.Status == 429), Is.Empty);
        Assert.That(probe.Count("rateLimitRetries"), Is.Zero);
        using var visitor = await site.Client.GetAsync("/p1");
        using var second = await site.Client.GetAsync("/p1");
        Assert.That((int)second.StatusCode, Is.EqualTo(429), "visitors are still limited");
    }

    [TestCase("120", 120_000)]
    [TestCase("0", 0)]
    [TestCase("Wed, 02 Dec 2026 00:00:30 GMT", 30_000)]
    [TestCase("Tue, 01 Dec 2026 23:00:00 GMT", 0)]
    [TestCase("soon", null)]
    [TestCase("", null)]
    public void RetryAfter_IsReadAsSecondsOrAnHttpDate(string header, int? expectedMs)
    {
        var now = new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero);

        var wait = RetryAfter.Parse(header, now);

        Assert.That(wait?.TotalMilliseconds, Is.EqualTo(expectedMs));
    }

    [Test]
    public void Refusals_HalveTheRequestsInFlight_OncePerPause_DownToOne()
    {
        var time = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var pressure = new BackPressure(8, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1), time);

        var first = pressure.Refused(retryAfter: null, refusals: 1);
        pressure.Refused(retryAfter: null, refusals: 1);
        Assert.That((first, pressure.Limit), Is.EqualTo((TimeSpan.FromMilliseconds(100), 4)), "two refusals at once are one");

        time.Advance(TimeSpan.FromSeconds(1));
        var third = pressure.Refused(retryAfter: null, refusals: 3);
        Assert.That((third, pressure.Limit), Is.EqualTo((TimeSpan.FromMilliseconds(400), 2)), "the guessed pause doubles with each refusal of a URL");

        time.Advance(TimeSpan.FromSeconds(1));
        Assert.That(pressure.Refused(TimeSpan.FromSeconds(2), refusals: 1), Is.EqualTo(TimeSpan.FromSeconds(2)), "Retry-After is the app's word");
        time.Advance(TimeSpan.FromSeconds(3));
        pressure.Refused(null, refusals: 30);
        Assert.That(pressure.Limit, Is.EqualTo(1));
        Assert.That(pressure.Refused(null, refusals: 30), Is.EqualTo(BackPressure.MaxGuessedPause));
    }
}
