using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using HealthChecks.UI.Client;
using HealthChecks.Warmup.Coordination;
using HealthChecks.Warmup.Fetching.Http;
using HealthChecks.Warmup.Reporting;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// In-process requests never pass through Kestrel. After an in-process warm-up succeeds, a few real
/// requests to the app's own bound address warm the server's path as well: the entry page and a few
/// resources, compressed and not, over HTTP/1.1 and, on a TLS endpoint with it, HTTP/2.
/// </summary>
[TestFixture]
public sealed class ServerWarmupTests
{
    /// <summary>A site whose record shows the requests that came over the network, not in-process.</summary>
    private static FixtureSite Site(ConcurrentQueue<(string Path, string Host, string Encoding, int Status)> overTheNetwork, Action<SiteWarmupOptions>? configure = null) =>
        new FixtureSite
        {
            Configure = o =>
            {
                o.WarmServer = true;
                // One request at a time: the crawl's outcomes, from which the server warm-up picks one
                // URL of each folder, come in the page's order.
                o.MaxConcurrency = 1;
                configure?.Invoke(o);
            },
        }
            .Html("/", "<link rel=\"stylesheet\" href=\"/css/site.css\"><link rel=\"stylesheet\" href=\"/css/more.css\"><img src=\"/img/logo.png\">")
            .Css("/css/more.css", "p { color: blue }")
            .Css("/css/site.css", "body { color: red }")
            .File("/img/logo.png", "image/png")
            .WithMiddleware(app => RecordOverTheNetwork(app, overTheNetwork));

    /// <summary>Records the warm-up's requests that came over the network (the server warm-up's), not in-process.</summary>
    private static void RecordOverTheNetwork(IApplicationBuilder app,
        ConcurrentQueue<(string Path, string Host, string Encoding, int Status)> overTheNetwork) =>
        app.Use(async (context, next) =>
        {
            await next(context);
            if (!context.IsSiteWarmupRequest() && context.Request.Headers.UserAgent.ToString().StartsWith("HealthChecks.Warmup/", StringComparison.Ordinal))
            {
                overTheNetwork.Enqueue((context.Request.Path.Value!, context.Request.Host.Value!, context.Request.Headers.AcceptEncoding.ToString(), context.Response.StatusCode));
            }
        });

    [Test]
    public async Task AfterTheCrawl_TheServerIsWarmed_OverItsOwnAddress_UnderTheSitesHost()
    {
        var network = new ConcurrentQueue<(string Path, string Host, string Encoding, int Status)>();
        await using var site = await Site(network).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(network.First().Path, Is.EqualTo("/favicon.ico"), "the primer, sent beside the crawl: Kestrel's path compiles before the server warm-up");
        Assert.That(network.Skip(1).Select(n => n.Path), Is.EquivalentTo(new[] { "/", "/css/site.css", "/css/site.css", "/img/logo.png", "/favicon.ico" }),
            "the entry page and one URL of each folder (not the second stylesheet), the first resource twice, and the icon browsers ask for");
        Assert.That(network.Where(n => n.Path == "/favicon.ico").Select(n => n.Status), Is.All.EqualTo(404), "the site has none: a guess, no failure");
        Assert.That(network.Select(n => n.Host).Distinct(), Is.EqualTo(new[] { site.Address.Authority }));
        Assert.That(network.Count(n => n.Encoding.Contains("br", StringComparison.Ordinal)), Is.EqualTo(5), "compressed as browsers ask, and once not");
        Assert.That(probe.Data.GetProperty("serverWarmup").GetString(), Does.Match($@"^5 requests to http://127\.0\.0\.1:{site.Address.Port} in \d+ ms$"));
        Assert.That(site.Logs.Named("ServerWarmed").Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task APageWithAServerComponent_GetsACircuitStarted_AndOneThatCannotStart_IsSaidNotJudged()
    {
        // A page as a Blazor Web App renders one (a server component's marker, blazor.web.js), on a site
        // with no hub: the circuit's negotiation answers 404.
        var network = new ConcurrentQueue<(string Path, string Host, string Encoding, int Status)>();
        await using var site = await new FixtureSite { Configure = o => (o.WarmServer, o.MaxConcurrency) = (true, 1) }
            .Html("/", """<link rel="icon" href="/favicon.png"><!--Blazor:{"type":"server","sequence":0,"descriptor":"d"}--><script src="/_framework/blazor.web.js"></script>""")
            .File("/favicon.png", "image/png")
            .File("/_framework/blazor.web.js", "text/javascript")
            .Route("/_blazor/initializers", context => context.Response.WriteAsJsonAsync(Array.Empty<string>()))
            .WithMiddleware(app => RecordOverTheNetwork(app, network))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(probe.Data.GetProperty("serverWarmup").GetString(), Does.Match(@" in \d+ ms; no Blazor circuit: POST /_blazor/negotiate answered 404$"));
        // Beside the server warm-up's own requests: the page twice (its entry page, and the circuit reading the markers afresh) and the hub once, after it.
        var paths = network.Select(n => n.Path).ToList();
        Assert.That((paths.Count(p => p == "/"), paths.Count(p => p == "/_blazor/negotiate")), Is.EqualTo((2, 1)), string.Join(", ", paths));
        Assert.That(paths.IndexOf("/"), Is.LessThan(paths.IndexOf("/_blazor/negotiate")), string.Join(", ", paths));
    }

    [Test]
    public async Task PagesThatDeclareAnIcon_GetNoFaviconGuess()
    {
        // Browsers ask for /favicon.ico only on a page that declares no icon; this site's only page declares one.
        var network = new ConcurrentQueue<(string Path, string Host, string Encoding, int Status)>();
        await using var site = await new FixtureSite { Configure = o => (o.WarmServer, o.MaxConcurrency) = (true, 1) }
            .Html("/", "<link rel=\"icon\" href=\"/img/logo.png\"><p>home</p>")
            .File("/img/logo.png", "image/png")
            .WithMiddleware(app => RecordOverTheNetwork(app, network))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths, Does.Contain("/img/logo.png"), "the declared icon, crawled as a resource");
        Assert.That(network.First().Path, Is.EqualTo("/favicon.ico"), "the primer, sent before any page is read");
        Assert.That(network.Skip(1).Select(n => n.Path), Is.EquivalentTo(new[] { "/", "/img/logo.png", "/img/logo.png" }),
            "the page, and the icon compressed and not: no /favicon.ico guess after the crawl");
    }

    [Test]
    public async Task AServerError_OnlyOverTheNetwork_FailsTheAttempt_NamingTheServerWarmup()
    {
        var network = new ConcurrentQueue<(string Path, string Host, string Encoding, int Status)>();
        await using var site = await Site(network)
            .WithMiddleware(app => app.Use((context, next) =>
            {
                if (!context.IsSiteWarmupRequest() && context.Request.Path == "/css/site.css")
                {
                    context.Response.StatusCode = 500;
                    return Task.CompletedTask;
                }
                return next(context);
            }))
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable), probe.Json);
        Assert.That(probe.Description, Does.Contain("/css/site.css → 500 (from the server warm-up, HTTP/1.1, compressed)"));
    }

    [Test]
    public async Task TurnedOff_SendsNothingOverTheNetwork()
    {
        var network = new ConcurrentQueue<(string Path, string Host, string Encoding, int Status)>();
        await using var site = await Site(network, o => o.WarmServer = false).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(network, Is.Empty);
        Assert.That(probe.Data.TryGetProperty("serverWarmup", out _), Is.False);
    }

    [Test]
    public async Task AResourceWithAValidator_IsAskedAgainWithIt_AsABrowserRevalidates()
    {
        var network = new ConcurrentQueue<(string Path, string IfNoneMatch, int Status)>();
        // The stylesheet is an endpoint: not discovered as a page, it is the page's resource.
        await using var site = await new FixtureSite { Configure = o => (o.WarmServer, o.DiscoverEndpoints) = (true, false) }
            .Html("/", "<link rel=\"stylesheet\" href=\"/css/site.css\">")
            .WithMiddleware(app =>
            {
                app.Use(async (context, next) =>
                {
                    await next(context);
                    if (!context.IsSiteWarmupRequest() && context.Request.Headers.UserAgent.ToString().StartsWith("HealthChecks.Warmup/", StringComparison.Ordinal))
                    {
                        network.Enqueue((context.Request.Path.Value!, context.Request.Headers.IfNoneMatch.ToString(), context.Response.StatusCode));
                    }
                });
                app.MapGet("/css/site.css", () => Results.Bytes("body { color: red }"u8.ToArray(), "text/css",
                    entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue("\"v1\"")));
            })
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        var requests = network.ToList();
        Assert.That(requests.Take(2), Is.EqualTo(new[] { ("/favicon.ico", "", 404), ("/", "", 200) }), "the primer; then the page, alone");
        Assert.That(requests.Skip(2).Where(r => r.Path == "/css/site.css"), Is.EqualTo(new[] { ("/css/site.css", "", 200), ("/css/site.css", "", 200), ("/css/site.css", "\"v1\"", 304) }),
            "the stylesheet compressed and not, and once more with its ETag, in that order: 304 Not Modified");
        Assert.That(requests.Skip(2).Where(r => r.Path != "/css/site.css"), Is.EqualTo(new[] { ("/favicon.ico", "", 404) }), "beside it, the icon browsers ask for");
    }

    [Test]
    public async Task OverTls_BothHttp11AndHttp2AreWarmed()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var protocols = new ConcurrentQueue<string>();

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, listen =>
        {
            listen.Protocols = HttpProtocols.Http1AndHttp2;
            listen.UseHttps(certificate);
        }));
        builder.Services.AddHealthChecks().AddSiteWarmup(o => o.DiscoverSitemaps = false);
        await using var app = builder.Build();
        app.Use(async (context, next) =>
        {
            if (!context.IsSiteWarmupRequest() && context.Request.Headers.UserAgent.ToString().StartsWith("HealthChecks.Warmup/", StringComparison.Ordinal))
            {
                protocols.Enqueue(context.Request.Protocol);
            }
            await next(context);
        });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { ResponseWriter = UIResponseWriter.WriteHealthCheckUIResponse });
        app.MapGet("/", () => Results.Content("<p>secure</p>", "text/html"));
        await app.StartAsync();

        var coordinator = app.Services.GetRequiredService<WarmupCoordinators>().Get("site-warmup");
        await Coordination.HealthSemanticsTests.WaitUntilAsync(() => coordinator.Snapshot.State is WarmupState.Succeeded or WarmupState.Failed);

        Assert.That(coordinator.Snapshot.State, Is.EqualTo(WarmupState.Succeeded), coordinator.Snapshot.CrawlerError);
        Assert.That(protocols.Distinct(), Is.EquivalentTo(new[] { "HTTP/1.1", "HTTP/2" }));
        await app.StopAsync();
    }

    [TestCase("http://127.0.0.1:5000", "http://127.0.0.1:5000/")]
    [TestCase("http://0.0.0.0:8080", "http://127.0.0.1:8080/")]
    [TestCase("http://+:80", "http://127.0.0.1/")]
    [TestCase("http://*:5001", "http://127.0.0.1:5001/")]
    [TestCase("https://localhost:7001", "https://127.0.0.1:7001/")]
    [TestCase("http://[::]:8080", "http://127.0.0.1:8080/")]
    [TestCase("http://[::1]:8080", "http://[::1]:8080/")]
    [TestCase("http://10.1.2.3:8080", "http://10.1.2.3:8080/")]
    [TestCase("http://unix:/run/app.sock", null)]
    [TestCase("http://pipe:/app", null)]
    [TestCase("not an address", null)]
    public void BoundAddress_IsReachedOnTheMachine(string address, string? expected)
    {
        Assert.That(ServerWarmup.Reachable(address)?.AbsoluteUri, Is.EqualTo(expected));
    }
}
