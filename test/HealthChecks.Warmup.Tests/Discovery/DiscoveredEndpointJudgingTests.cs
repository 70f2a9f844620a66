using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Discovery;

/// <summary>
/// Who is judged: what the user named and what the site's pages reference. An endpoint that only
/// endpoint discovery found is the library's guess: its failure is reported, not a reason to stay cold.
/// And a warm-up that reaches one of its app's own health endpoints never waits for itself.
/// </summary>
[TestFixture]
public sealed class DiscoveredEndpointJudgingTests
{
    private static FixtureSite SiteWithABrokenEndpoint(Action<SiteWarmupOptions>? configure = null, string links = "", bool withWarmup = false) =>
        new FixtureSite { Configure = configure }
            .Html("/", $"<p>home</p>{links}")
            .WithMiddleware(app =>
            {
                var broken = app.MapGet("/rsd.xml", string () => throw new InvalidOperationException("the RSD writer failed"));
                if (withWarmup)
                {
                    broken.WithWarmup("/rsd.xml");
                }
            });

    [Test]
    public async Task DiscoveredEndpointThatFails_IsReportedNotJudged()
    {
        await using var site = await SiteWithABrokenEndpoint().StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.CountOf("/rsd.xml"), Is.EqualTo(1));
        Assert.That(probe.Data.GetProperty("discoveredFailures")[0].GetString(), Does.EndWith("/rsd.xml → 500"));
        var warning = site.Logs.Named("DiscoveredEndpointFailed").Single();
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("JudgeDiscoveredEndpoints"));
        Assert.That(site.Logs.Named("UrlFailed"), Is.Empty, "reported once, as what it is");
    }

    [Test]
    public async Task DiscoveredEndpointThatFails_WithTheOptIn_KeepsTheSiteCold()
    {
        await using var site = await SiteWithABrokenEndpoint(o => o.JudgeDiscoveredEndpoints = true).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Description, Does.Contain("/rsd.xml → 500"));
    }

    [TestCase("<a href=\"/rsd.xml\">rsd</a>", false, TestName = "DiscoveredEndpointThatFails_LinkedFromAPage_IsJudged")]
    [TestCase("", true, TestName = "DiscoveredEndpointThatFails_MarkedWithWarmup_IsJudged")]
    public async Task DiscoveredEndpointThatFails_NamedByTheSiteOrTheUser_IsJudged(string links, bool withWarmup)
    {
        await using var site = await SiteWithABrokenEndpoint(links: links, withWarmup: withWarmup).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), probe.Json);
        Assert.That(probe.Description, Does.Contain("/rsd.xml → 500"));
    }

    [Test]
    public async Task RenamedHealthEndpoint_DiscoveredAndLinked_NeverHoldsTheWarmupBack()
    {
        await using var site = await new FixtureSite()
            .Html("/", "<a href=\"/health/renamed\">status</a>")
            .WithMiddleware(app => app.MapHealthChecks("/health/renamed").WithDisplayName("ready"))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.CountOf("/health/renamed"), Is.EqualTo(1), "requested once, as a page links it");
        Assert.That(probe.Count("healthEndpoints"), Is.EqualTo(1));
        using var fromOutside = await site.Client.GetAsync("/health/renamed");
        Assert.That(fromOutside.StatusCode, Is.EqualTo(HttpStatusCode.OK), "warm now, for everyone");
    }

    [TestCase(WarmupTransport.InProcess)]
    [TestCase(WarmupTransport.Http)]
    public async Task MiddlewareHealthEndpoint_LinkedFromAPage_NeverHoldsTheWarmupBack(WarmupTransport transport)
    {
        await using var site = await new FixtureSite { Configure = o => o.Transport = transport }
            .Html("/", "<a href=\"/healthz\">status</a>")
            .WithMiddleware(app => app.UseHealthChecks("/healthz"))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(probe.Count("healthEndpoints"), Is.EqualTo(1));
        Assert.That(probe.Count("serverErrors"), Is.Zero);
    }

    [Test]
    public async Task HealthEndpointFromOutside_WithTheWarmupsHeadersAndUserAgent_IsStillJudgedForReal()
    {
        // Nothing a visitor can send makes the check answer for the warm-up's own request.
        await using var site = await new FixtureSite { Configure = o => o.EntryPaths = ["/slow"] }
            .Route("/slow", async context =>
            {
                await Task.Delay(Timeout.Infinite, context.RequestAborted);
            })
            .StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
        request.Headers.TryAddWithoutValidation("User-Agent", "HealthChecks.Warmup/1.0 (in-process)");
        request.Headers.TryAddWithoutValidation("X-Site-Warmup", new string('0', 32));

        using var response = await site.Client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(response.Headers.Contains("X-Site-Warmup-Health-Endpoint"), Is.False);
    }
}
