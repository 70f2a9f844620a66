using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Authentication.BearerToken;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.HostFiltering;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Coordination;

/// <summary>
/// A probe must reach the health checks, or the verdict the warm-up keeps is not what it sees: the
/// warm-up asks each health endpoint once, as a probe does, and says when something stands in front.
/// A sign-in redirect is the dangerous one (Kubernetes counts a 3xx as ready: cold instances take traffic).
/// </summary>
[TestFixture]
public sealed class ProbeReachTests
{
    [Test]
    public async Task AFallbackAuthorizationPolicy_RedirectsProbesToSignIn_AndTheWarmupSaysSo()
    {
        await using var site = await BehindAFallbackPolicy(
                services => services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o => o.LoginPath = "/login"),
                app => app.MapGet("/login", () => "sign in").AllowAnonymous())
            .Html("/", "<p>home</p>")
            .StartAsync();

        await site.WaitUntilFinishedAsync();

        var blocked = site.Logs.Named("ProbeBlocked").Single();
        Assert.That(blocked.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(blocked.Message, Does.Contain($"{site.Address}health/ready is answered 302 (Location: {site.Address}login?ReturnUrl=%2Fhealth%2Fready)")
            .And.Contain("Kubernetes counts a redirect as ready").And.Contain("AllowAnonymous()"));
        Assert.That(site.ProbeChecks.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/health/ready" }), "asked once");
    }

    [Test]
    public async Task ABearerTokenFallback_FailsProbesWith401_AndTheWarmupSaysSo()
    {
        await using var site = await BehindAFallbackPolicy(services => services.AddAuthentication(BearerTokenDefaults.AuthenticationScheme).AddBearerToken())
            .Html("/", "<p>home</p>")
            .StartAsync();

        await site.WaitUntilFinishedAsync();

        Assert.That(site.Logs.Named("ProbeBlocked").Single().Message, Does.Contain("is answered 401, not by the health checks: probes fail, so instances are never ready"));
    }

    [Test]
    public async Task HostFiltering_RefusesProbesThatSendTheInstancesAddress_AndTheWarmupSaysSo()
    {
        await using var site = await new FixtureSite { Configure = o => o.BaseAddress = new Uri("http://www.example.test/") }
            .Html("/", "<p>home</p>")
            .WithServices(services => services.Configure<HostFilteringOptions>(o => o.AllowedHosts = ["www.example.test"]))
            .WithMiddleware(app => app.UseHostFiltering())
            .StartAsync();

        var probe = await site.WaitUntilFinishedAsync();

        Assert.That(probe.Status, Is.EqualTo(System.Net.HttpStatusCode.BadRequest), "the test's own probe, sent to the bound address, is refused as well");
        Assert.That(site.Logs.Named("ProbeBlocked").Single().Message, Does.Contain("is answered 400").And.Contain("AllowedHosts").And.Contain("httpHeaders"));
    }

    [Test]
    public async Task HttpsRedirection_ToAPortTheAppDoesNotListenOn_FailsProbes_AndTheWarmupSaysSo()
    {
        // TLS ends at the ingress, yet the app redirects to https on 443 (ASPNETCORE_HTTPS_PORT): the kubelet
        // follows a redirect to the same host name, to a port nothing in the pod listens on.
        await using var site = await new FixtureSite()
            .Html("/", "<p>home</p>")
            .WithServices(services => services.AddHttpsRedirection(o => o.HttpsPort = 443))
            .WithMiddleware(app => app.UseHttpsRedirection())
            .StartAsync();

        await site.Coordinator.Finished.WaitAsync(TimeSpan.FromSeconds(30)); // the test's client would follow the probe's redirect

        var blocked = site.Logs.Named("ProbeBlocked").Single();
        Assert.That(blocked.Message, Does.Contain($"{site.Address}health/ready is answered 307 (Location: https://127.0.0.1/health/ready)")
            .And.Contain("probes follow it to https on port 443, where the app does not listen").And.Contain("UseHttpsRedirection"));
    }

    [Test]
    public async Task ACanonicalHostRedirect_CountsProbesAsReady_AndTheWarmupSaysSo()
    {
        // The site's own rule: any other host is sent to www.example.test, the instance's address among them.
        await using var site = await new FixtureSite { Configure = o => o.BaseAddress = new Uri("http://www.example.test/") }
            .Html("/", "<p>home</p>")
            .WithMiddleware(app => app.Use((context, next) =>
            {
                if (context.Request.Host.Host == "www.example.test")
                {
                    return next(context);
                }
                context.Response.Redirect($"http://www.example.test{context.Request.Path}", permanent: true);
                return Task.CompletedTask;
            }))
            .StartAsync();

        await site.Coordinator.Finished.WaitAsync(TimeSpan.FromSeconds(30)); // the test's client would follow the probe's redirect

        Assert.That(site.Logs.Named("ProbeBlocked").Single().Message, Does.Contain("is answered 301 (Location: http://www.example.test/health/ready)")
            .And.Contain("Kubernetes counts a redirect to another host as ready without following it"));
    }

    [Test]
    public async Task AReadinessEndpointThatSelectsByTag_LeavesOutTheUntaggedWarmup_AndTheWarmupSaysSo()
    {
        // The usual readiness/liveness pair; the warm-up added as the README shows, without the tag.
        await using var site = await new FixtureSite { ReadinessPredicate = check => check.Tags.Contains("ready") }
            .Html("/", "<p>home</p>")
            .WithMiddleware(app => app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }))
            .StartAsync();

        await site.WaitUntilFinishedAsync();

        var notProbed = site.Logs.Named("CheckNotProbed").Single();
        Assert.That(notProbed.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(notProbed.Message, Does.Contain("no health endpoint runs its check (/health/live, /health/ready answered without it)")
            .And.Contain("AddSiteWarmup(tags: [\"ready\"])"));
        Assert.That(site.Logs.Named("ProbeBlocked"), Is.Empty);
    }

    [Test]
    public async Task AReadinessEndpointThatSelectsTheWarmupsTag_IsNotMentioned()
    {
        await using var site = await new FixtureSite { Tags = ["ready"], ReadinessPredicate = check => check.Tags.Contains("ready") }
            .Html("/", "<p>home</p>")
            .WithMiddleware(app => app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }))
            .StartAsync();

        await site.WaitUntilFinishedAsync();

        Assert.That(site.ProbeChecks.Select(r => r.PathAndQuery), Is.EquivalentTo(new[] { "/health/live", "/health/ready" }));
        Assert.That(site.Logs.Named("CheckNotProbed"), Is.Empty);
    }

    [Test]
    public async Task AnEndpointThatRunsAnotherRegistrationOnly_IsNotThisOnesProbe()
    {
        // Two warm-ups; the endpoint runs the other's check, so this one gates nothing.
        await using var site = await new FixtureSite { ReadinessPredicate = check => check.Name == "cdn" }
            .Html("/", "<p>home</p>")
            .WithServices(services => services.AddHealthChecks().AddSiteWarmup(o =>
            {
                o.DiscoverSitemaps = false;
                o.WarmServer = false;
                o.RepeatRequests = false;
                o.SlowestPages = 0;
            }, name: "cdn"))
            .StartAsync();

        await site.WaitUntilFinishedAsync();

        Assert.That(site.Logs.Named("CheckNotProbed").Select(e => e.Message), Has.Exactly(1).Items.And.All.StartsWith("Site warm-up site-warmup:"));
    }

    [TestCase("https://127.0.0.1:8443/health/ready", null, TestName = "To https where the app listens, same path: followed to the checks")]
    [TestCase("https://127.0.0.1/health/ready", "where the app does not listen", TestName = "To https on 443, which nothing binds")]
    [TestCase("/login?ReturnUrl=%2Fhealth%2Fready", "Kubernetes counts a redirect as ready", TestName = "To a sign-in page on the same host")]
    [TestCase("https://login.example.test/authorize", "to another host", TestName = "To an identity provider")]
    public void ARedirect_IsJudgedAsTheKubeletFollowsIt(string location, string? consequence)
    {
        var url = new Uri("http://127.0.0.1:8080/health/ready");
        var address = new SiteAddress(new Uri("http://127.0.0.1:8080/"), SiteAddressSource.Server, [new Uri("https://127.0.0.1:8443/")], [])
        {
            Listening = [new Uri("http://127.0.0.1:8080/"), new Uri("https://127.0.0.1:8443/")],
        };
        using var answer = new HealthChecks.Warmup.Fetching.FetchResult { StatusCode = 307, Location = location };

        var blocked = HealthChecks.Warmup.Coordination.ProbeReach.Blocked(answer, url, address);

        Assert.That(blocked, consequence is null ? Is.Null : Does.Contain(consequence));
    }

    [Test]
    public async Task AProbeThatReachesTheChecks_IsNotMentioned()
    {
        await using var site = await new FixtureSite().Html("/", "<p>home</p>").StartAsync();

        await site.WaitUntilFinishedAsync();

        Assert.That(site.ProbeChecks.Select(r => r.PathAndQuery), Is.EqualTo(new[] { "/health/ready" }));
        Assert.That(site.Logs.Named("ProbeBlocked"), Is.Empty);
        Assert.That(site.Paths, Does.Not.Contain("/health/ready"), "not one of the crawl's requests");
    }

    [Test]
    public async Task AHealthEndpointWithoutTheWarmupsCheck_AndOneAllowedAnonymously_AreNotMentioned()
    {
        await using var site = await BehindAFallbackPolicy(
                services => services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(),
                app =>
                {
                    // Liveness: no checks at all, so the warm-up's is never asked.
                    app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
                    app.MapHealthChecks("/healthz").AllowAnonymous();
                    app.MapGet("/", () => Results.Content("<p>home</p>", "text/html")).AllowAnonymous();
                })
            .StartAsync();

        await site.WaitUntilFinishedAsync();

        Assert.That(site.ProbeChecks.Select(r => r.PathAndQuery), Is.EquivalentTo(new[] { "/health/live", "/healthz", "/health/ready" }));
        // The fixture's own /health/ready is under the fallback policy: that one, and only that one.
        Assert.That(site.Logs.Named("ProbeBlocked").Select(e => e.Message), Has.Exactly(1).Items.And.All.Contains("/health/ready is answered 302"));
        Assert.That(site.Logs.Named("CheckNotProbed"), Is.Empty, "/healthz runs it");
    }

    /// <summary>The fixture under authentication (<paramref name="scheme"/>) and a fallback policy that requires a signed-in user everywhere.</summary>
    private static FixtureSite BehindAFallbackPolicy(Action<IServiceCollection> scheme, Action<WebApplication>? endpoints = null) => new FixtureSite()
        .WithServices(services =>
        {
            scheme(services);
            services.AddAuthorization(o => o.FallbackPolicy = o.DefaultPolicy);
        })
        .WithMiddleware(app =>
        {
            app.UseAuthentication();
            app.UseAuthorization();
            endpoints?.Invoke(app);
        });

    [TestCase(null, "http://127.0.0.1:8080/health/ready")]
    [TestCase("*:8081", "http://127.0.0.1:8081/health/ready")]
    [TestCase("health.internal", "http://health.internal:8080/health/ready")]
    [TestCase("health.internal:9000", "http://health.internal:9000/health/ready")]
    [TestCase("*.example.test", null)]
    public void AProbeGoesToTheBoundAddress_TheHostRequireHostNames(string? host, string? expected)
    {
        var bound = new[] { new Uri("http://127.0.0.1:8080/"), new Uri("http://127.0.0.1:8081/") };

        var url = HealthEndpoints.ProbeUrl(new HealthEndpoints.Endpoint("/health/ready", host), bound, new Uri("https://www.example.test/"));

        Assert.That(url?.AbsoluteUri, Is.EqualTo(expected));
    }
}
