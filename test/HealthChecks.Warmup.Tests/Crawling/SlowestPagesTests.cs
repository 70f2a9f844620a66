using System.Net;
using HealthChecks.Warmup.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace HealthChecks.Warmup.Tests.Crawling;

/// <summary>What warming bought: the slowest pages requested once more, their cold and warm times shown.</summary>
[TestFixture]
public sealed class SlowestPagesTests
{
    [Test]
    public async Task SlowestPages_ShowTheirColdAndWarmTimes()
    {
        var report = new Lazy<Task<string>>(async () =>
        {
            // The page's first render builds what it caches: what a cold start costs the first visitor.
            await Task.Delay(300);
            return "<p>the report</p>";
        });
        await using var site = await new FixtureSite { Configure = o => o.SlowestPages = 2 }
            .Html("/", "<a href=\"/report\">report</a><a href=\"/about\">about</a><a href=\"/missing\">missing</a>")
            .Html("/about", "about")
            .Route("/report", async context =>
            {
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync(await report.Value);
            })
            .StartAsync();

        var probe = await site.WaitUntilFinishedAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        var slowest = probe.Data.GetProperty("slowest").EnumerateArray().ToList();
        Assert.That(slowest, Has.Count.EqualTo(2), "the option's number of pages, of those that answered 200");
        var first = slowest[0];
        Assert.That(first.GetProperty("url").GetString(), Is.EqualTo(new Uri(site.Address, "/report").AbsoluteUri));
        Assert.That(first.GetProperty("coldMs").GetInt64(), Is.GreaterThanOrEqualTo(250), "its first render waited 300 ms (timers may end a little early)");
        Assert.That(first.GetProperty("warmMs").GetInt64(), Is.LessThan(first.GetProperty("coldMs").GetInt64()));
        Assert.That(site.CountOf("/report"), Is.EqualTo(2));
        Assert.That(site.CountOf("/missing"), Is.EqualTo(1), "a 404 is not among them");
        var line = site.Logs.Named("PageTimed").First();
        Assert.That(line.Message, Does.Match(@"^Site warm-up site-warmup bought /report: \d+ ms cold, \d+ ms warm$"));
    }

    [Test]
    public async Task TheVerdict_DoesNotWaitForTheSecondRequests()
    {
        // The measuring request waits until the test lets it go: a page that is as slow every time.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        await using var site = await new FixtureSite { Configure = o => o.SlowestPages = 1 }
            .Route("/", async context =>
            {
                if (Interlocked.Increment(ref calls) > 1)
                {
                    await release.Task.WaitAsync(TimeSpan.FromSeconds(30));
                }
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("home");
            })
            .StartAsync();

        var verdict = await site.WaitForVerdictAsync(TimeSpan.FromSeconds(20));

        Assert.That(verdict.Status, Is.EqualTo(HttpStatusCode.OK), "Healthy while the second request is still held: " + verdict.Json);
        Assert.That(verdict.Data.TryGetProperty("slowest", out _), Is.False, "not measured yet");
        release.SetResult();
        var finished = await site.WaitUntilFinishedAsync();
        Assert.That(finished.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(finished.Data.GetProperty("slowest").EnumerateArray().Select(t => t.GetProperty("url").GetString()), Is.EqualTo(new[] { site.Address.AbsoluteUri }));
        Assert.That(calls, Is.EqualTo(2));
    }

    [Test]
    public async Task SecondRequests_AreNotJudged()
    {
        var calls = 0;
        await using var site = await new FixtureSite { Configure = o => o.SlowestPages = 5 }
            .Route("/", async context =>
            {
                // Fine once; broken on the second request, which only measures.
                context.Response.StatusCode = Interlocked.Increment(ref calls) == 1 ? 200 : 500;
                context.Response.ContentType = "text/html";
                await context.Response.WriteAsync("home");
            })
            .StartAsync();

        var probe = await site.WaitUntilFinishedAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK), probe.Json);
        Assert.That(site.CountOf("/"), Is.EqualTo(2));
        Assert.That(probe.Data.TryGetProperty("slowest", out _), Is.False, "a page that did not answer 200 again has no warm time");
    }

    [Test]
    public async Task Zero_TurnsItOff()
    {
        await using var site = await new FixtureSite { Configure = o => o.SlowestPages = 0 }.Html("/", "home").StartAsync();

        var probe = await site.WaitUntilFinishedAsync();

        Assert.That(site.CountOf("/"), Is.EqualTo(1));
        Assert.That(probe.Data.TryGetProperty("slowest", out _), Is.False);
    }
}
