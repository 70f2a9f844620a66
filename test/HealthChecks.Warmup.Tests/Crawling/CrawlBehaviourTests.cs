using System.Net;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Crawling;

/// <summary>Redirects, depth, limits and scope, observed through what a real app was asked for.</summary>
[TestFixture]
public sealed class CrawlBehaviourTests
{
    [Test]
    public async Task SameOriginRedirect_IsFollowedAndWarmed()
    {
        await using var site = await new FixtureSite()
            .Redirect("/", "/home")
            .Html("/home", "<img src=\"/img/home.png\">")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Is.EqualTo(new[] { "/", "/home", "/img/home.png" }));
    }

    [Test]
    public async Task EntryPageRedirectTarget_IsJudgedAsAnEntryPage()
    {
        await using var site = await new FixtureSite().Redirect("/", "/home", 301).Status("/home", 404).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        Assert.That(probe.Description, Does.Contain("/home → 404"));
    }

    [Test]
    public async Task RedirectLoop_Ends()
    {
        await using var site = await new FixtureSite()
            .Html("/", "<a href=\"/loop-a\">loop</a>")
            .Redirect("/loop-a", "/loop-b")
            .Redirect("/loop-b", "/loop-a")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.CountOf("/loop-a"), Is.EqualTo(1));
        Assert.That(site.CountOf("/loop-b"), Is.EqualTo(1));
    }

    [Test]
    public async Task LongRedirectChain_StopsAtMaxRedirects()
    {
        var site = new FixtureSite { Configure = o => o.MaxRedirects = 5 }.Html("/", "<a href=\"/hop/0\">chain</a>");
        for (var i = 0; i < 50; i++)
        {
            site.Redirect($"/hop/{i}", $"/hop/{i + 1}");
        }
        await using var _ = await site.StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths.Count(p => p.StartsWith("/hop/", StringComparison.Ordinal)), Is.EqualTo(6));
        Assert.That(probe.Data.GetProperty("limitsReached").GetString(), Does.Contain("MaxRedirects"));
    }

    [TestCase(0, new[] { "/", "/img/front.png" })]
    [TestCase(1, new[] { "/", "/img/front.png", "/level-1", "/img/level-1.png" })]
    [TestCase(2, new[] { "/", "/img/front.png", "/level-1", "/img/level-1.png", "/level-2", "/img/level-2.png" })]
    public async Task MaxDepth_BoundsPagesButNotTheirResources(int maxDepth, string[] expected)
    {
        await using var site = await new FixtureSite { Configure = o => o.MaxDepth = maxDepth }
            .Html("/", "<a href=\"/level-1\">1</a><img src=\"/img/front.png\">")
            .Html("/level-1", "<a href=\"/level-2\">2</a><img src=\"/img/level-1.png\">")
            .Html("/level-2", "<a href=\"/level-3\">3</a><img src=\"/img/level-2.png\">")
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Is.EquivalentTo(expected));
    }

    [Test]
    public async Task FollowPageLinksWithQuery_FollowsThem()
    {
        await using var site = await new FixtureSite { Configure = o => o.FollowPageLinksWithQuery = true }
            .Html("/", "<a href=\"/list?page=2\">2</a>")
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(site.Paths, Does.Contain("/list?page=2"));
    }

    [Test]
    public async Task EachUrl_IsRequestedOnce_WhateverHowOftenItIsReferenced()
    {
        await using var site = await new FixtureSite()
            .Html("/", "<a href=\"/p\">1</a><a href=\"/p#top\">2</a><img src=\"/i.png\"><img src=\"./i.png\"><img src=\"/x/../i.png\">")
            .Html("/p", "<a href=\"/\">home</a><img src=\"/i.png\">")
            .StartAsync();

        await site.WaitForVerdictAsync();

        Assert.That(site.CountOf("/"), Is.EqualTo(1));
        Assert.That(site.CountOf("/p"), Is.EqualTo(1));
        Assert.That(site.CountOf("/i.png"), Is.EqualTo(1));
    }

    [Test]
    public async Task MaxUrls_StopsTheCrawl_IsReportedAndNotAFailure()
    {
        var images = string.Concat(Enumerable.Range(0, 50).Select(i => $"<img src=\"/img/{i}.png\">"));
        await using var site = await new FixtureSite { Configure = o => o.MaxUrls = 10 }.Html("/", images).StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(site.Paths, Has.Count.EqualTo(10));
        Assert.That(probe.Count("overLimit"), Is.EqualTo(41));
        Assert.That(probe.Data.GetProperty("limitsReached").GetString(), Is.EqualTo("MaxUrls"));
        Assert.That(site.Logs.Named("WarmupLimitReached").Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task NothingOutsideTheOrigin_IsEverRequested()
    {
        await using var canary = await RecordingServer.StartAsync();
        var other = canary.Address.Authority;
        string[] references =
        [
            $"<a href=\"http://{other}/absolute\">a</a>",
            $"<a href=\"//{other}/protocol-relative\">a</a>",
            $"<img src=\"http://localhost@{other}/userinfo.png\">",
            $"<a href=\"http:\\\\{other}\\backslashes\">a</a>",
            $"<a href=\"/\\{other}/slash-backslash\">a</a>",
            $"<a href=\"https://{other}/other-scheme\">a</a>",
            "<a href=\"http://127.0.0.1:1/other-port\">a</a>",
            "<img src=\"ftp://127.0.0.1/file.png\">",
            "<img src=\"file:///etc/passwd\">",
            $"<link rel=\"stylesheet\" href=\"http://{other}/evil.css\">",
            $"<a href=\"/out\">redirects away</a>",
            $"<meta http-equiv=\"refresh\" content=\"5; url=http://{other}/refresh\">",
        ];
        await using var site = await new FixtureSite()
            .Html("/", string.Concat(references) + "<link rel=\"stylesheet\" href=\"/css/site.css\">")
            .Css("/css/site.css", $"@import \"http://{other}/import.css\"; a {{ background: url(//{other}/bg.png) }}")
            .Redirect("/out", $"http://{other}/redirected")
            .StartAsync();

        // The Host header of a probe never steers the crawl.
        using var spoofed = new HttpRequestMessage(HttpMethod.Get, "/health/ready");
        spoofed.Headers.Host = other;
        await site.Client.SendAsync(spoofed);
        var probe = await site.WaitForVerdictAsync();

        Assert.That(canary.Requests, Is.Empty);
        Assert.That(site.WarmupRequests.Select(r => r.Host), Is.All.EqualTo(site.Address.Authority));
        Assert.That(probe.Count("outOfScope"), Is.GreaterThanOrEqualTo(11));
        Assert.That(probe.Status, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task BaseHrefElsewhere_SendsNothingThere()
    {
        await using var canary = await RecordingServer.StartAsync();
        await using var site = await new FixtureSite()
            .Html("/", $"<html><head><base href=\"http://{canary.Address.Authority}/\"></head><body><a href=\"page\">p</a><img src=\"i.png\"></body></html>")
            .StartAsync();

        var probe = await site.WaitForVerdictAsync();

        Assert.That(canary.Requests, Is.Empty);
        Assert.That(site.Paths, Is.EqualTo(new[] { "/" }));
        Assert.That(probe.Count("outOfScope"), Is.EqualTo(2));
    }
}
