using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Crawling;

/// <summary>
/// The mechanism behind the repeat pass, watched in the runtime's own JIT events: ASP.NET Core's routing
/// generates a jump table for a route node with many literal children (here a folder of twenty scripts)
/// in the background after the node's first use, and the first request through the node after that
/// compiles it (a dynamic method named <c>GetDestination</c>). With the repeat pass, that request is the
/// warm-up's; without it, a visitor's.
/// </summary>
[TestFixture]
public sealed class RouteJumpTableTests
{
    private const string JumpTable = "dynamicClass:GetDestination";

    private static FixtureSite Site(bool repeat) =>
        new FixtureSite
        {
            Configure = o =>
            {
                o.RepeatRequests = repeat;
                // One request through the folder in the crawl: endpoint discovery would request all twenty.
                o.DiscoverEndpoints = false;
            },
        }
            .Html("/", "<script src=\"/lib/f0.js\"></script>")
            .WithMiddleware(app =>
            {
                for (var i = 0; i < 20; i++)
                {
                    app.MapGet($"/lib/f{i}.js", () => Results.Text("let x = 1;", "text/javascript"));
                }
            });

    [Test]
    public async Task AfterTheWarmup_AVisitorsRequestThroughTheFolder_CompilesNoJumpTable()
    {
        using var jit = new JitWatch();
        await using var site = await Site(repeat: true).StartAsync();
        var probe = await site.WaitForVerdictAsync();
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(await jit.CompiledSinceAsync(), Has.Some.EqualTo(JumpTable), "the warm-up compiled the folder's jump table");

        using var visit = await site.Client.GetAsync("/lib/f7.js");

        Assert.That(visit.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await jit.CompiledSinceAsync(), Has.None.EqualTo(JumpTable));
    }

    [Test]
    public async Task WithoutTheRepeatPass_AVisitorsRequest_CompilesTheJumpTable()
    {
        using var jit = new JitWatch();
        await using var site = await Site(repeat: false).StartAsync();
        var probe = await site.WaitForVerdictAsync();
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        await jit.CompiledSinceAsync();

        // The table is generated in the background after the crawl's one request through the folder: the
        // first visitor request after it is ready compiles it. Bounded: twenty visits.
        var compiledBy = 0;
        for (var visit = 1; visit <= 20 && compiledBy == 0; visit++)
        {
            using var response = await site.Client.GetAsync("/lib/f7.js");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            if ((await jit.CompiledSinceAsync()).Contains(JumpTable))
            {
                compiledBy = visit;
            }
        }

        Assert.That(compiledBy, Is.GreaterThan(0), "a visitor's request compiled the folder's jump table");
    }
}
