using System.Collections.Concurrent;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Fetching;

/// <summary>
/// An app cannot tell an in-process request from Kestrel's: one endpoint, requested over a real Kestrel
/// and by the warm-up in-process, lists the request features its <see cref="HttpContext"/> has. Any
/// feature Kestrel has and the in-process request lacks fails the test, unless the list below says why
/// an app cannot miss it. A future ASP.NET Core that adds a feature makes this test say so.
/// </summary>
[TestFixture]
public sealed class KestrelParityTests
{
    /// <summary>Features Kestrel has that the in-process request leaves out, and why an app cannot miss them.</summary>
    private static readonly Dictionary<string, string> s_connectionOnly = new()
    {
        ["Microsoft.AspNetCore.Http.Features.IHttpWebTransportFeature"] = "HTTP/3 WebTransport, never on HTTP/1.1, and an experimental API",
    };

    [Test]
    public async Task InProcessRequest_HasEveryFeatureKestrelGivesAnHttp11Request()
    {
        var seen = new ConcurrentDictionary<string, string[]>();
        await using var site = await new FixtureSite { Configure = o => o.DiscoverEndpoints = true }
            .WithMiddleware(app => app.MapGet("/features", (HttpContext context) =>
            {
                seen[context.IsSiteWarmupRequest() ? "in-process" : "kestrel"] = [.. context.Features.Select(f => f.Key.FullName!)];
                return Results.Text("features");
            }))
            .StartAsync();
        await site.WaitForVerdictAsync();
        using (await site.Client.GetAsync("/features"))
        {
        }

        Assert.That(seen.Keys, Is.EquivalentTo(new[] { "in-process", "kestrel" }), "both requests reached the endpoint");
        var missing = seen["kestrel"].Except(seen["in-process"]).Where(f => !s_connectionOnly.ContainsKey(f)).Order().ToList();
        Assert.That(missing, Is.Empty, "request features Kestrel has and the in-process request lacks");
        Assert.That(s_connectionOnly.Keys.Except(seen["kestrel"]), Is.Empty, "the allow-list names only features Kestrel has");
        Assert.That(seen["in-process"].Except(seen["kestrel"]), Is.EqualTo(new[] { "HealthChecks.Warmup.Fetching.InProcess.SiteWarmupRequestFeature" }),
            "the only feature Kestrel lacks is the warm-up's own marker");
    }
}
