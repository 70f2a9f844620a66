using System.Net;
using HealthChecks.Warmup.Discovery;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.FileProviders;

namespace HealthChecks.Warmup.Tests.Discovery;

/// <summary>
/// A web API maps nothing at <c>/</c> (<c>dotnet new webapi</c>): the default entry page is the library's
/// guess there, so its 404 is the app's design, not a cold site. Configured entry pages are still judged.
/// </summary>
[TestFixture]
public sealed class NothingAtRootTests
{
    // The fixture's appsettings.json (the sample's) names "/"; cleared, the default applies as in a fresh app.
    private static FixtureSite Api(Action<SiteWarmupOptions>? configure = null) => new FixtureSite
    {
        Configure = o =>
        {
            o.EntryPaths.Clear();
            configure?.Invoke(o);
        },
    }
        .WithMiddleware(app =>
        {
            app.MapGet("/weatherforecast", () => new[] { new { Summary = "Mild" } });
            app.MapPost("/orders", () => "posted");
        });

    [Test]
    public async Task AnApi_GetsReadyOnItsEndpoints_WithoutAskingForTheRoot()
    {
        await using var site = await Api().StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths, Does.Contain("/weatherforecast").And.Not.Contain("/"));
        Assert.That(probe.Count("clientErrors"), Is.Zero, probe.Json);
        Assert.That(site.Logs.Named("NothingAtRoot").Single().Message, Does.Contain("its 1 endpoint(s)").And.Contain("EntryPaths"));
    }

    [Test]
    public async Task WithDiscoveryOff_TheRootIsRequestedAsAGuess_AndNotJudged()
    {
        await using var site = await Api(o => o.DiscoverEndpoints = false).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.Paths, Does.Contain("/").And.Not.Contain("/weatherforecast"));
        Assert.That(site.Logs.Named("NothingToStartFrom").Single().Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
        Assert.That(site.Logs.Named("NothingAtRoot"), Is.Empty);
    }

    [Test]
    public async Task AConfiguredEntryPage_IsJudged_WhereTheAppMapsNothing()
    {
        await using var site = await Api(o => o.EntryPaths.Add("/")).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Data.GetProperty("failures")[0].GetString(), Is.EqualTo($"{site.Address} → 404 (entry page)"));
        Assert.That(site.Logs.Named("NothingAtRoot"), Is.Empty);
    }

    [Test]
    public async Task AnAppOfMiddlewareOnly_IsJudgedAtTheRoot()
    {
        // No GET endpoint of its own: whatever answers / is a middleware, which endpoints cannot show.
        await using var site = await new FixtureSite { Configure = o => o.EntryPaths.Clear() }.Status("/", 404).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
    }

    [TestCase("", true)]
    [TestCase("/", true)]
    [TestCase("{controller=Home}/{action=Index}/{id?}", true)]
    [TestCase("{*path:nonfile}", true)]
    [TestCase("{culture?}", true)]
    [TestCase("weatherforecast", false)]
    [TestCase("Index", false)]
    [TestCase("{id}", false)]
    [TestCase("{id=1}.json", false)]
    public void MatchesRoot(string pattern, bool matches) =>
        Assert.That(AppEndpoints.MatchesRoot(RoutePatternFactory.Parse(pattern)), Is.EqualTo(matches));

    [TestCase("index.html", false)]
    [TestCase("default.htm", false)]
    [TestCase("app.js", true)]
    public void ADefaultDocumentInTheWebRoot_MayAnswerTheRoot(string file, bool nothingAtRoot)
    {
        var webRoot = Directory.CreateTempSubdirectory("warmup-webroot-");
        try
        {
            File.WriteAllText(Path.Combine(webRoot.FullName, file), "x");
            using var files = new PhysicalFileProvider(webRoot.FullName);
            var api = new DefaultEndpointDataSource(new RouteEndpoint(context => context.Response.WriteAsync("[]"),
                RoutePatternFactory.Parse("/weatherforecast"), 0, new EndpointMetadataCollection(new HttpMethodMetadata(["GET"])), "forecast"));

            Assert.That(AppEndpoints.Read(api, files).NothingAtRoot, Is.EqualTo(nothingAtRoot));
            Assert.That(AppEndpoints.Read(api).NothingAtRoot, Is.True, "no web root: the endpoints alone");
        }
        finally
        {
            webRoot.Delete(recursive: true);
        }
    }
}
