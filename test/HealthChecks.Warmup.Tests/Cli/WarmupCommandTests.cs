using HealthChecks.Warmup.Cli;
using HealthChecks.Warmup.Tests.Support;

namespace HealthChecks.Warmup.Tests.Cli;

/// <summary><c>dotnet-warmup</c> against a real Kestrel on loopback, as a deploy pipeline runs it.</summary>
[TestFixture]
public sealed class WarmupCommandTests
{
    private static async Task<(int ExitCode, string Output, string Error)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exitCode = await WarmupCommand.RunAsync(args, output, error, interactive: false);
        return (exitCode, output.ToString(), error.ToString());
    }

    private static Task<FixtureSite> SiteAsync(int imageStatus = 200) => new FixtureSite()
        .Html("/", "<link rel=\"stylesheet\" href=\"/site.css\"><a href=\"/about\">about</a><img src=\"/img/a.png\">")
        .Css("/site.css", "body { background: url(/img/bg.png) }")
        .Html("/about", "<p>about</p>")
        .Status("/img/a.png", imageStatus)
        .Route("/img/bg.png", _ => Task.CompletedTask)
        .StartAsync();

    [Test]
    public async Task WarmSite_ExitsZeroWithTheSettingsThenASummary()
    {
        await using var site = await SiteAsync();
        await site.WaitForVerdictAsync();

        var (exitCode, output, error) = await RunAsync(site.Address.ToString());

        Assert.That(exitCode, Is.EqualTo(0), output + error);
        Assert.That(output, Does.Contain("Warming " + site.Address));
        var settings = output.IndexOf("requests at once", StringComparison.Ordinal);
        Assert.That(settings, Is.GreaterThanOrEqualTo(0).And.LessThan(output.IndexOf("Outcomes", StringComparison.Ordinal)));
        Assert.That(output, Does.Contain("Warm: 7 URLs"), "five of the site, robots.txt and sitemap.xml");
        Assert.That(output, Does.Contain("Slowest URLs"));
        Assert.That(output, Does.Contain("What warming bought").And.Match(@"│ /about\s+│ \d+\s+│ \d+\s+│"), "a line for each of the slowest pages: cold and warm");
    }

    [Test]
    public async Task NoRepeat_AndSlowestZero_RequestNothingAfterTheCrawl()
    {
        await using var site = await SiteAsync();
        await site.WaitForVerdictAsync();
        var before = site.Paths.Count;

        var (exitCode, output, _) = await RunAsync(site.Address.ToString(), "--no-repeat", "--slowest", "0", "--no-sitemaps");

        Assert.That(exitCode, Is.EqualTo(0));
        Assert.That(output, Does.Not.Contain("What warming bought"));
        Assert.That(site.WarmupRequests.Skip(before).GroupBy(r => r.PathAndQuery).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty,
            "each URL once: no repeat pass, no second request of a slow page");
    }

    [Test]
    public async Task ResourceAnswering500_ExitsOneNamingIt()
    {
        await using var site = await SiteAsync(imageStatus: 500);

        var (exitCode, output, error) = await RunAsync(site.Address.ToString(), "--retries", "0");

        Assert.That(exitCode, Is.EqualTo(1));
        Assert.That(output, Does.Contain("Failures (1)").And.Contain("/img/a.png"));
        Assert.That(error, Does.Contain("warn: Resource " + new Uri(site.Address, "/img/a.png") + " failed: 500"));
    }

    [Test]
    public async Task ResourceAnswering500_WithIgnoreResourceServerErrors_ExitsZero()
    {
        await using var site = await SiteAsync(imageStatus: 500);

        var (exitCode, _, _) = await RunAsync(site.Address.ToString(), "--retries", "0", "--ignore-resource-server-errors");

        Assert.That(exitCode, Is.EqualTo(0));
    }

    [TestCase("not a url")]
    [TestCase("ftp://example.com/")]
    [TestCase("/relative/path")]
    [TestCase("http://user:pass@example.com/")]
    public async Task MalformedUrl_ExitsTwoWithOneLine(string url)
    {
        var (exitCode, output, error) = await RunAsync(url);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(error.TrimEnd().Split('\n'), Has.Length.EqualTo(1));
        Assert.That(error, Does.StartWith("error: "));
        Assert.That(output, Is.Empty);
    }

    [TestCase("http://127.0.0.1:1/", "--bogus")]
    [TestCase("http://127.0.0.1:1/", "--depth", "many")]
    [TestCase("http://127.0.0.1:1/", "--depth", "101")]
    [TestCase("http://127.0.0.1:1/", "--timeout", "soon")]
    [TestCase("http://127.0.0.1:1/", "--header", "no colon")]
    [TestCase("http://127.0.0.1:1/", "--entry", "//elsewhere.example/")]
    public async Task UsageError_ExitsTwoWithoutAStackTrace(params string[] args)
    {
        var (exitCode, _, error) = await RunAsync(args);

        Assert.That(exitCode, Is.EqualTo(2));
        Assert.That(error, Does.StartWith("error: ").And.Not.Contain("   at "));
    }

    [Test]
    public async Task Json_ParsesAndMatchesWhatTheServerSaw()
    {
        await using var site = await SiteAsync(imageStatus: 404);
        await site.WaitForVerdictAsync();
        var before = site.Paths.Count;
        var path = Path.Combine(Path.GetTempPath(), $"warmup-{Guid.NewGuid():N}.json");
        try
        {
            var (exitCode, _, _) = await RunAsync(site.Address.ToString(), "--json", path, "--header", "X-Deploy: 42");
            var report = JsonReport.Read(await File.ReadAllTextAsync(path))!;
            var serverSaw = site.WarmupRequests.Skip(before).ToList();

            Assert.That(exitCode, Is.EqualTo(0));
            Assert.That(report.SchemaVersion, Is.EqualTo(1));
            Assert.That(report.Warm, Is.True);
            Assert.That(report.Urls.Concat(report.Slowest!.Select(t => new JsonUrl(t.Url, "page", 0, false, null, 200, null, t.WarmMs, 1))).Select(u => new Uri(u.Url).PathAndQuery),
                Is.EquivalentTo(serverSaw.Select(r => r.PathAndQuery)), "every request: the crawl's, the repeat pass's, and the slowest pages' second");
            Assert.That(report.Slowest!.Select(t => new Uri(t.Url).AbsolutePath), Is.EquivalentTo(new[] { "/", "/about" }));
            var repeated = report.Urls.Count(u => u.Referrer == HealthChecks.Warmup.Crawling.RepeatPass.Referrer);
            Assert.That(repeated, Is.Positive, "the repeat pass ran, as in the health check");
            Assert.That(report.Counts.Requested, Is.EqualTo(serverSaw.Count - repeated - report.Slowest!.Count), "the repeat pass's and the slowest pages' requests are listed, not counted");
            Assert.That(report.Counts.ClientErrors, Is.EqualTo(1));
            var image = report.Urls.Single(u => u.Url.EndsWith("/img/a.png", StringComparison.Ordinal));
            Assert.That(image.Status, Is.EqualTo(404));
            Assert.That(image.Kind, Is.EqualTo("resource"));
            Assert.That(image.Referrer, Is.EqualTo(site.Address.ToString()));
            Assert.That(image.Attempts, Is.EqualTo(1));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public async Task EntryAndExclude_ChooseWhatIsRequested()
    {
        await using var site = await SiteAsync();
        await site.WaitForVerdictAsync();
        var before = site.Paths.Count;

        var (exitCode, _, _) = await RunAsync(site.Address.ToString(), "--entry", "/about", "--entry", "/", "--exclude", "/img/*", "--depth", "0", "--no-sitemaps");
        var requested = site.Paths.Skip(before).ToList();

        Assert.That(exitCode, Is.EqualTo(0));
        // Each once, and what the repeat pass asks for once more.
        Assert.That(requested.Distinct(), Is.EquivalentTo(new[] { "/about", "/", "/site.css" }));
    }
}
