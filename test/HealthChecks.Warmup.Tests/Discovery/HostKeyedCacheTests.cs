using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Discovery;

/// <summary>
/// ASP.NET Core's output cache keys each entry by scheme, host, port and path. The warm-up fills the
/// entries visitors will hit only when it requests the page as they arrive: under the site's public
/// origin (<c>BaseAddress</c>), after any proxy — the scheme and host <c>UseForwardedHeaders</c> makes of
/// the proxy's headers. Without a public origin, it says so once.
/// </summary>
[TestFixture]
public sealed class HostKeyedCacheTests
{
    private int _renders;

    /// <summary>A page the output cache keeps, which counts how often it really renders.</summary>
    private FixtureSite CachedSite(Uri? publicOrigin, bool behindProxy = false) =>
        new FixtureSite { Configure = o => o.BaseAddress = publicOrigin }
            .WithServices(services =>
            {
                services.AddOutputCache();
                if (behindProxy)
                {
                    services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);
                }
            })
            .WithMiddleware(app =>
            {
                if (behindProxy)
                {
                    app.UseForwardedHeaders();
                }
                app.UseOutputCache();
                app.MapGet("/", (HttpContext context) =>
                {
                    Interlocked.Increment(ref _renders);
                    return Results.Content($"<p>rendered for {context.Request.Scheme}://{context.Request.Host}</p>", "text/html");
                }).CacheOutput();
            });

    [SetUp]
    public void Reset() => _renders = 0;

    [Test]
    public async Task PublicOriginSet_AVisitorUnderThatHost_IsServedTheEntryTheWarmupFilled()
    {
        await using var site = await CachedSite(new Uri("http://www.example.com/")).StartAsync();
        var probe = await site.WaitForVerdictAsync();
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(_renders, Is.EqualTo(1), "the warm-up rendered the page");

        using var visit = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "www.example.com" } };
        using var response = await site.Client.SendAsync(visit);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("rendered for http://www.example.com"));
        Assert.That(_renders, Is.EqualTo(1), "the visitor was served from the cache: no second render");
        Assert.That(site.Logs.Named("PublicOriginNotSet"), Is.Empty);
    }

    [Test]
    public async Task BehindAProxy_AVisitorAsForwardedHeadersMakeHim_IsServedTheEntryTheWarmupFilled()
    {
        await using var site = await CachedSite(new Uri("https://www.example.com/"), behindProxy: true).StartAsync();
        var probe = await site.WaitForVerdictAsync();
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);

        // What an ingress sends: its own connection to the pod, the visitor's scheme and host in headers.
        using var visit = new HttpRequestMessage(HttpMethod.Get, "/")
        {
            Headers = { { "X-Forwarded-Proto", "https" }, { "X-Forwarded-Host", "www.example.com" } },
        };
        using var response = await site.Client.SendAsync(visit);

        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("rendered for https://www.example.com"));
        Assert.That(_renders, Is.EqualTo(1), "the visitor was served from the cache: no second render");
    }

    [Test]
    public async Task NoPublicOrigin_WarnsOnce_AndAVisitorUnderThePublicHostMisses()
    {
        await using var site = await CachedSite(publicOrigin: null).StartAsync();
        var probe = await site.WaitForVerdictAsync();
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(probe.Data.GetProperty("warmedAs").GetString(), Is.EqualTo(site.Address.AbsoluteUri));

        var warning = site.Logs.Named("PublicOriginNotSet").Single();
        Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
        Assert.That(warning.Message, Does.Contain("HealthChecks:SiteWarmup:BaseAddress"));

        using var visit = new HttpRequestMessage(HttpMethod.Get, "/") { Headers = { Host = "www.example.com" } };
        using var response = await site.Client.SendAsync(visit);
        Assert.That(_renders, Is.EqualTo(2), "what the warning is about: the entry is keyed by the bound address");
    }
}
