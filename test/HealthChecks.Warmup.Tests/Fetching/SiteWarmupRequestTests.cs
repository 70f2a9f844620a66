using System.Collections.Concurrent;
using System.Net;
using HealthChecks.Warmup.Fetching.Http;
using HealthChecks.Warmup.Fetching.InProcess;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// <c>HttpContext.IsSiteWarmupRequest()</c>, which apps use to keep warm-up traffic out of telemetry, request
/// logs and rate limits: true for the warm-up's own in-process requests, and nothing a visitor sends can
/// make it true — not the warm-up's headers, its User-Agent, its marker, nor a query string.
/// </summary>
[TestFixture]
public sealed class SiteWarmupRequestTests
{
    [Test]
    public async Task OnlyTheWarmupsOwnRequests_AreSiteWarmupRequests()
    {
        var seen = new ConcurrentQueue<(string? UserAgent, bool IsWarmup)>();
        await using var site = await new FixtureSite { Configure = o => o.RequestHeaders["X-Tenant"] = "blue" }
            .Route("/", context =>
            {
                seen.Enqueue((context.Request.Headers.UserAgent, context.IsSiteWarmupRequest()));
                context.Response.ContentType = "text/plain";
                return context.Response.WriteAsync($"{context.IsSiteWarmupRequest()} {context.Request.Headers["X-Tenant"]}");
            })
            .StartAsync();
        var probe = await site.WaitForVerdictAsync();
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(seen.Where(s => s.UserAgent == InProcessFetcher.UserAgent).Select(s => s.IsWarmup), Is.EqualTo(new[] { true }),
            "the warm-up's own request");

        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/?warmup=true&IsSiteWarmupRequest=true&X-Site-Warmup=1")
        {
            Headers =
            {
                { "User-Agent", InProcessFetcher.UserAgent },
                { OwnRequestMarker.Header, OwnRequestMarker.Secret },
                { "X-Site-Warmup-Request", "true" },
                { OwnRequestMarker.ReachedHeader, "true" },
            },
        };
        using var response = await site.Client.SendAsync(spoofed);

        Assert.That(await response.Content.ReadAsStringAsync(), Does.StartWith("False"), "even with the secret marker of this process");
    }

    [Test]
    public async Task InProcessRequests_CarryTheConfiguredRequestHeaders_ButNotAHostOfTheirOwn()
    {
        var seen = new ConcurrentQueue<(string Tenant, string Host)>();
        await using var site = await new FixtureSite
            {
                Configure = o =>
                {
                    o.RequestHeaders["X-Tenant"] = "blue";
                    o.RequestHeaders["Host"] = "elsewhere.example";
                },
            }
            .Route("/", context =>
            {
                seen.Enqueue((context.Request.Headers["X-Tenant"].ToString(), context.Request.Host.Value!));
                return Task.CompletedTask;
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(seen, Is.EqualTo(new[] { ("blue", site.Address.Authority) }), "the origin chooses the host, not a header");
    }
}
