using System.Collections.Concurrent;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.ResponseCompression;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>The HTTP transport against a real Kestrel on loopback: what crosses the wire.</summary>
[TestFixture]
public sealed class HttpTransportTests
{
    private static FixtureSite OverHttp(Action<SiteWarmupOptions>? configure = null) => new()
    {
        Configure = o =>
        {
            o.Transport = WarmupTransport.Http;
            o.RequestRetryDelay = TimeSpan.FromMilliseconds(20);
            configure?.Invoke(o);
        },
    };

    [Test]
    public async Task Http_RequestsGoOverTheNetwork()
    {
        var remoteAddresses = new ConcurrentQueue<string>();
        await using var site = await OverHttp()
            .Route("/", async context =>
            {
                remoteAddresses.Enqueue($"{context.Connection.RemoteIpAddress} {context.Request.Headers.UserAgent}");
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("<img src=\"/img/a.png\">");
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(remoteAddresses, Is.EqualTo(new[] { "127.0.0.1 HealthChecks.Warmup/1.0 (+http)" }));
        Assert.That(site.Paths, Is.EqualTo(new[] { "/", "/img/a.png" }));
    }

    [TestCase("gzip")]
    [TestCase("br")]
    public async Task CompressedHtml_IsDecompressedAndParsed(string encoding)
    {
        var sentEncodings = new ConcurrentQueue<string>();
        await using var site = await OverHttp()
            .WithServices(services => services.AddResponseCompression(o =>
            {
                o.Providers.Clear();
                if (encoding == "br")
                {
                    o.Providers.Add<BrotliCompressionProvider>();
                }
                else
                {
                    o.Providers.Add<GzipCompressionProvider>();
                }
            }))
            .WithMiddleware(app =>
            {
                app.Use(async (context, next) =>
                {
                    context.Response.OnStarting(() =>
                    {
                        sentEncodings.Enqueue(context.Response.Headers.ContentEncoding.ToString());
                        return Task.CompletedTask;
                    });
                    await next(context);
                });
                app.UseResponseCompression();
            })
            .Html("/", "<html><body>" + new string(' ', 4000) + "<img src=\"/img/after-compression.png\"></body></html>")
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(sentEncodings, Does.Contain(encoding), "the server really compressed the page");
        Assert.That(site.Paths, Does.Contain("/img/after-compression.png"));
    }

    [Test]
    public async Task GzipBomb_IsDrainedWithBoundedMemory()
    {
        // 1 GiB of zeros, about 10 MiB on the wire.
        using var compressed = new MemoryStream();
        await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            var zeros = new byte[1 << 20];
            for (var i = 0; i < 1024; i++)
            {
                await gzip.WriteAsync(zeros);
            }
        }
        var bomb = compressed.ToArray();
        await using var site = await OverHttp(o => o.MaxParsedBytes = 64 * 1024)
            .Html("/", "<img src=\"/img/a.png\"><a href=\"/bomb\">bomb</a>")
            .Route("/bomb", async context =>
            {
                context.Response.ContentType = "text/html";
                context.Response.Headers.ContentEncoding = "gzip";
                await context.Response.Body.WriteAsync(bomb);
            })
            .StartAsync();
        var allocatedBefore = GC.GetTotalAllocatedBytes();

        var probe = await site.WaitForVerdictAsync(TimeSpan.FromSeconds(120));
        var allocated = GC.GetTotalAllocatedBytes() - allocatedBefore;

        Assert.That(bomb, Has.Length.LessThan(16 << 20));
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(probe.Data.GetProperty("limitsReached").GetString(), Is.EqualTo("MaxParsedBytes"));
        Assert.That(allocated, Is.LessThan(256L << 20), "a 1 GiB body went through a pooled buffer, not into memory");
    }

    [Test]
    public async Task TransientFailureTwice_ThenSuccess_PassesThanksToRetries()
    {
        var calls = 0;
        await using var site = await OverHttp()
            .Html("/", "<img src=\"/img/flaky.png\">")
            .Route("/img/flaky.png", context =>
            {
                context.Response.StatusCode = Interlocked.Increment(ref calls) <= 2 ? 503 : 200;
                return Task.CompletedTask;
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.CountOf("/img/flaky.png"), Is.EqualTo(3));
        Assert.That(probe.Count("serverErrors"), Is.Zero);
    }

    [Test]
    public async Task PersistentServerError_FailsAfterItsRetries()
    {
        await using var site = await OverHttp(o => o.MaxRequestRetries = 2)
            .Html("/", "<img src=\"/img/broken.png\">")
            .Status("/img/broken.png", 500)
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(site.CountOf("/img/broken.png"), Is.EqualTo(3));
        Assert.That(site.Coordinator.Snapshot.Failures.Single().Attempts, Is.EqualTo(3));
    }

    [Test]
    public async Task ClientError_IsNotRetried()
    {
        await using var site = await OverHttp().Html("/", "<img src=\"/img/missing.png\">").StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(site.CountOf("/img/missing.png"), Is.EqualTo(1));
    }

    [Test]
    public async Task TooManyRequests_RetriesAfterRetryAfter()
    {
        var arrivals = new ConcurrentQueue<long>();
        await using var site = await OverHttp()
            .Html("/", "<img src=\"/img/limited.png\">")
            .Route("/img/limited.png", context =>
            {
                arrivals.Enqueue(Stopwatch.GetTimestamp());
                if (arrivals.Count == 1)
                {
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = "1";
                }
                return Task.CompletedTask;
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();
        var times = arrivals.ToArray();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(times, Has.Length.EqualTo(2));
        Assert.That(Stopwatch.GetElapsedTime(times[0], times[1]), Is.GreaterThanOrEqualTo(TimeSpan.FromMilliseconds(900)),
            "the retry waited for Retry-After (1 s), not for the 20 ms backoff");
    }

    [Test]
    public async Task HangingHandler_TimesOutPerAttempt()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var site = await OverHttp(o =>
            {
                o.RequestTimeout = TimeSpan.FromMilliseconds(300);
                o.MaxRequestRetries = 1;
            })
            .Html("/", "<img src=\"/img/hangs.png\">")
            .Route("/img/hangs.png", async _ => await release.Task)
            .StartAsync();
        try
        {
            var probe = await site.WaitForVerdictAsync();

            Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(probe.Description, Does.Contain("/img/hangs.png → timed out"));
            Assert.That(site.CountOf("/img/hangs.png"), Is.EqualTo(2), "each attempt timed out on its own");
        }
        finally
        {
            release.SetResult();
        }
    }

    /// <summary>A stylesheet whose body goes wrong after its headers: cut off, or slower than the time-out.</summary>
    private static async Task BrokenBodyAsync(HttpContext context, string how)
    {
        context.Response.ContentType = "text/css";
        if (how == "broken off")
        {
            context.Response.ContentLength = 100_000;
        }
        await context.Response.WriteAsync("body { background: url(/img/bg.png) }" + new string(' ', 4_000));
        await context.Response.Body.FlushAsync();
        if (how == "broken off")
        {
            // Long enough for the client to have read the headers: the body, not the request, fails.
            await Task.Delay(1000);
            context.Abort();
            return;
        }
        await Task.Delay(TimeSpan.FromSeconds(10), context.RequestAborted);
    }

    [TestCase("broken off", "failed: answered 200 but the body broke off")]
    [TestCase("slower than the time-out", "timed out")]
    public async Task BodyGoingWrongAfterTheHeaders_FailsNamingTheUrl_IsNotParsed_AndTheCrawlGoesOn(string how, string result)
    {
        await using var site = await OverHttp(o =>
            {
                // Broken off after a second: well within the time-out; the slow one outlasts it.
                o.RequestTimeout = how == "broken off" ? TimeSpan.FromSeconds(30) : TimeSpan.FromMilliseconds(300);
                o.MaxRequestRetries = 0;
            })
            .Html("/", "<link rel=\"stylesheet\" href=\"/site.css\"><img src=\"/img/a.png\">")
            .Route("/site.css", context => BrokenBodyAsync(context, how))
            .File("/img/a.png", "image/png")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Description, Does.Contain("/site.css → " + result));
        Assert.That(site.Paths, Does.Contain("/img/a.png").And.Not.Contain("/img/bg.png"));
    }

    [Test]
    public async Task RequestHeaders_ReachTheServer()
    {
        var seen = new ConcurrentQueue<string>();
        await using var site = await OverHttp(o => o.RequestHeaders["X-Warmup-Token"] = "s3cret")
            .Route("/", context =>
            {
                seen.Enqueue(context.Request.Headers["X-Warmup-Token"].ToString());
                return Task.CompletedTask;
            })
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(seen, Is.EqualTo(new[] { "s3cret" }));
    }

    [Test]
    public async Task RedirectChainAndLoop_AreFollowedByTheCrawlerHopByHop()
    {
        await using var site = await OverHttp()
            .Html("/", "<a href=\"/r1\">chain</a><a href=\"/loop-a\">loop</a>")
            .Redirect("/r1", "/r2", 301)
            .Redirect("/r2", "/r3", 307)
            .Html("/r3", "<img src=\"/img/end-of-chain.png\">")
            .Redirect("/loop-a", "/loop-b")
            .Redirect("/loop-b", "/loop-a")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Does.Contain("/r2").And.Contain("/r3").And.Contain("/img/end-of-chain.png"));
        Assert.That(site.CountOf("/loop-a") + site.CountOf("/loop-b"), Is.EqualTo(2));
    }

    [Test]
    public async Task RedirectToAnotherOrigin_IsNotFollowed()
    {
        await using var canary = await RecordingServer.StartAsync();
        await using var site = await OverHttp()
            .Html("/", "<a href=\"/away\">away</a><img src=\"/img/away.png\">")
            .Redirect("/away", new Uri(canary.Address, "/page").ToString(), 302)
            .Redirect("/img/away.png", new Uri(canary.Address, "/img.png").ToString(), 301)
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(canary.Requests, Is.Empty);
        Assert.That(probe.Count("outOfScope"), Is.EqualTo(2));
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task BaseAddress_IsTheOriginRequested()
    {
        await using var site = new FixtureSite().Html("/", "<img src=\"/img/a.png\">");
        await site.StartAsync();
        await site.WaitForVerdictAsync();
        // A second app warms the first one over HTTP, as a deploy pipeline warms a staging slot.
        await using var warmer = await OverHttp(o => o.BaseAddress = site.Address).Html("/", "warmer's own page").StartAsync();

        var probe = await warmer.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.CountOf("/img/a.png"), Is.EqualTo(2), "once by its own warm-up, once by the warmer's");
        Assert.That(warmer.Paths, Is.Empty);
    }
}
